import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadPng, UploadError } from "./uploader.ts";

// A store that answers each path's PUTs from a script, one status per request.
describe("uploadPng", () => {
  const scripts = new Map<string, number[]>();
  const seen = new Map<string, IncomingHttpHeaders[]>();
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = request.url!;
      seen.set(path, [...(seen.get(path) ?? []), request.headers]);
      request.resume();
      request.on("end", () => response.writeHead(scripts.get(path)?.shift() ?? 200).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const upload = (path: string, script: number[]) => {
    scripts.set(path, script);
    return uploadPng(`${base}${path}`, new Uint8Array([137, 80, 78, 71]), { attempts: 3, baseDelayMs: 5 });
  };

  it("creates only: it asks for If-None-Match: *, and an object already there (412) stands", async () => {
    await upload("/new", [200]);
    expect(seen.get("/new")![0]).toMatchObject({ "if-none-match": "*", "content-type": "image/png", "content-length": "4" });
    await upload("/there", [412]);
    expect(seen.get("/there")).toHaveLength(1);
  });

  it("tries again after a concurrent write (409) or a server error, up to its attempts", async () => {
    await upload("/race", [409, 412]);
    expect(seen.get("/race")).toHaveLength(2);
    await expect(upload("/down", [503, 502, 500])).rejects.toMatchObject({ retryable: true, retryInPlace: true, message: "upload refused with HTTP 500 (after 3 attempts)" });
  });

  it("gives up on the URL at once when refused (a wrong or expired URL), and the item stays retryable: its next lease signs a new URL", async () => {
    const error = await upload("/denied", [403, 200]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadError);
    expect(error).toMatchObject({ retryable: true, retryInPlace: false, message: "upload refused with HTTP 403" });
    expect(seen.get("/denied")).toHaveLength(1);
  });
});
