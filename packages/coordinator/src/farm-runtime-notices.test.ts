import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "./config.ts";
import type { FarmRuntime } from "./farm-runtime.ts";
import { startLoopbackRuntime } from "./http/testing-runtime.ts";
import { parseStoreEvents, type StoreEvent } from "./storage/upload-ledger.ts";

// `atelier up` with everything embedded and ATELIER_STORE_EVENTS_SUBJECT set:
// the embedded store's notices reach the subject on the farm's bus, where
// the coordinator (and anyone else allowed) reads them.
describe("the embedded store's notices", () => {
  const subject = "atelier-store-notices";
  let farm: FarmRuntime;
  const notices: StoreEvent[] = [];
  beforeAll(async () => {
    ({ farm } = await startLoopbackRuntime({ ATELIER_STORE_EVENTS_SUBJECT: subject }));
    farm.bus.subscribeForeign(subject, (payload) => notices.push(...parseStoreEvents(payload)));
  }, 60_000);
  afterAll(async () => {
    await farm?.close();
  });

  it("go out on the configured subject, one per upload, with its size and MD5", async () => {
    const key = `notices/${randomBytes(4).toString("hex")}.png`;
    const body = randomBytes(123);
    const url = await farm.store.presignPut(key, { contentType: "image/png", expiresInMs: 60_000 });
    const put = await fetch(url, { method: "PUT", body, headers: { "content-type": "image/png", "if-none-match": "*" } });
    expect(put.status).toBe(200);
    await vi.waitFor(() => expect(notices.filter((notice) => notice.key === key)).toEqual([
      { kind: "created", bucket: farm.store.bucket, key, bytes: 123, etag: createHash("md5").update(body).digest("hex") },
    ]));
  });

  it("are configured by a subject, not a pattern: a wildcard is refused naming the variable", () => {
    for (const bad of ["a.*", "a.>", "a b", "a..b"]) {
      expect(() => loadConfig({ ATELIER_STORE_EVENTS_SUBJECT: bad }), bad).toThrow(/ATELIER_STORE_EVENTS_SUBJECT: must be a NATS subject/);
    }
  });
});
