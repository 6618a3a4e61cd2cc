import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHeadRequester } from "./head-request.ts";

// A server that answers each path's HEADs from a script, one status per request.
describe("HEAD on presigned URLs", () => {
  const scripts = new Map<string, (number | "stall")[]>();
  const seen = new Map<string, number>();
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = request.url!.split("?")[0]!;
      seen.set(path, (seen.get(path) ?? 0) + 1);
      const next = scripts.get(path)?.shift() ?? 200;
      if (next === "stall") return; // never answers: the client must give up and retry
      response.writeHead(next, next === 200 ? { "content-length": "1234", "content-type": "image/png" } : {}).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const requester = createHeadRequester({ requestTimeoutMs: 300, attempts: 4, baseDelayMs: 10 });
  afterAll(() => requester.close());
  const head = (path: string, script: (number | "stall")[]) => {
    scripts.set(path, script);
    return requester.head(async () => `${base}${path}?X-Amz-Signature=x`, path);
  };

  it("reads the size and type, and says null for a missing object", async () => {
    expect(await head("/ok", [200])).toEqual({ bytes: 1234, contentType: "image/png" });
    expect(await head("/missing", [404])).toBeNull();
  });

  it("retries 5xx, 429 and stalls, then answers", async () => {
    expect(await head("/flaky", [503, 429, "stall", 200])).toEqual({ bytes: 1234, contentType: "image/png" });
    expect(seen.get("/flaky")).toBe(4);
  });

  it("gives up after its attempts with the last failure, and at once when denied", async () => {
    await expect(head("/down", [500, 502, 503, 504, 200])).rejects.toThrow("HEAD /down failed 4 times; last: answered 504");
    await expect(head("/denied", [403, 200])).rejects.toThrow("HEAD /denied answered 403");
    expect(seen.get("/denied")).toBe(1);
  });
});
