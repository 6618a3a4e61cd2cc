import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { sessionCookie, sessionCookieHeader, TrustedProxies } from "./request-guard.ts";

/** What the guard reads of a request: the peer, TLS, and headers. */
function request(peer: string, headers: Record<string, string> = {}, encrypted = false): IncomingMessage {
  return { socket: { remoteAddress: peer, encrypted }, headers } as unknown as IncomingMessage;
}

describe("trusted proxies", () => {
  const proxies = TrustedProxies.parse("10.0.0.0/8, 192.168.1.5 fd00::/8");

  it("believe X-Forwarded-For only from a trusted peer", () => {
    expect(proxies.clientAddress(request("203.0.113.9", { "x-forwarded-for": "198.51.100.1" }))).toBe("203.0.113.9");
    expect(proxies.clientAddress(request("10.1.2.3", { "x-forwarded-for": "198.51.100.1" }))).toBe("198.51.100.1");
    expect(proxies.clientAddress(request("::ffff:192.168.1.5", { "x-forwarded-for": "198.51.100.1" }))).toBe("198.51.100.1");
    expect(proxies.clientAddress(request("fd00::7", { "x-forwarded-for": "2001:db8::1" }))).toBe("2001:db8::1");
    expect(proxies.clientAddress(request("10.1.2.3"))).toBe("10.1.2.3");
  });

  it("read X-Forwarded-For from the right, so a client cannot name its own address", () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended where it came from.
    expect(proxies.clientAddress(request("10.0.0.1", { "x-forwarded-for": "1.2.3.4, 198.51.100.1" }))).toBe("198.51.100.1");
    // Two trusted proxies in a row.
    expect(proxies.clientAddress(request("10.0.0.1", { "x-forwarded-for": "1.2.3.4, 198.51.100.1, 10.0.0.2" }))).toBe("198.51.100.1");
    // Nothing believable left of a malformed hop: the last proxy is the client we know.
    expect(proxies.clientAddress(request("10.0.0.1", { "x-forwarded-for": "198.51.100.1, junk, 10.0.0.2" }))).toBe("10.0.0.2");
  });

  it("believe X-Forwarded-Proto only from a trusted peer; a TLS socket is HTTPS itself", () => {
    expect(proxies.isHttps(request("10.0.0.1", { "x-forwarded-proto": "https" }))).toBe(true);
    expect(proxies.isHttps(request("10.0.0.1", { "x-forwarded-proto": "https, http" }))).toBe(true);
    expect(proxies.isHttps(request("10.0.0.1", { "x-forwarded-proto": "http" }))).toBe(false);
    expect(proxies.isHttps(request("203.0.113.9", { "x-forwarded-proto": "https" }))).toBe(false);
    expect(proxies.isHttps(request("203.0.113.9", {}, true))).toBe(true);
  });

  it("trust nobody by default, and refuse entries that are not addresses or ranges", () => {
    const none = TrustedProxies.parse(undefined);
    expect(none.clientAddress(request("127.0.0.1", { "x-forwarded-for": "198.51.100.1" }))).toBe("127.0.0.1");
    expect(none.isHttps(request("127.0.0.1", { "x-forwarded-proto": "https" }))).toBe(false);
    for (const bad of ["10.0.0.0/33", "example.com", "10.0.0.1/", "fd00::/129", "10.0.0.0/8/8"]) {
      expect(() => TrustedProxies.parse(bad), bad).toThrow(/is not an IP address or CIDR range/);
    }
  });
});

describe("session cookie", () => {
  it("is __Host- prefixed, Secure, Path=/ and without Domain over HTTPS", () => {
    expect(sessionCookieHeader(true, "abc", 60)).toBe("__Host-atelier_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure");
    expect(sessionCookieHeader(false, "abc", 60)).toBe("atelier_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60");
  });

  it("is read under the name its scheme uses, and only that one", () => {
    const both = request("127.0.0.1", { cookie: "atelier_session=plain; __Host-atelier_session=hosted" });
    expect(sessionCookie(both, true)).toBe("hosted");
    expect(sessionCookie(both, false)).toBe("plain");
    expect(sessionCookie(request("127.0.0.1", { cookie: "atelier_session=plain" }), true)).toBeUndefined();
  });
});
