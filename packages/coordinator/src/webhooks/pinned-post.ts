import * as http from "node:http";
import * as https from "node:https";
import type { LookupFunction } from "node:net";
import type { ResolvedAddress } from "./webhook-address-policy.ts";

/**
 * A `lookup` for a socket that answers with the addresses already checked,
 * whatever the name: the connection cannot reach an address that DNS
 * returns after the check (DNS rebinding). TLS still verifies the
 * certificate against the URL's host name, which the request keeps.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, addresses.map(({ address, family }) => ({ address, family })));
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  };
}

/**
 * POSTs `body` to `url`, connecting only to `addresses`, and resolves with
 * the status code. Node's http client follows no redirect: a 3xx is an
 * answer like any other. A socket of its own per request (agent: false), so
 * no pooled connection made for another address is reused.
 */
export function pinnedPost(url: URL, addresses: readonly ResolvedAddress[], headers: Record<string, string>, body: string, signal: AbortSignal): Promise<number> {
  const request = url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: "POST",
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      lookup: pinnedLookup(addresses),
      agent: false,
      signal,
    }, (response) => {
      // The answer is the status; the body is read and dropped so that the socket closes.
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}
