import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { startFaultyProxy, type Fault } from "../support/faulty-http-proxy.ts";
import { promptSpecs } from "../support/prompt-files.ts";

const ITEMS = 120;

// docs/reliability.md, scenario 12.
describe("S3 answering 503, resetting connections", () => {
  let farm: FarmFixture;
  let proxy: Awaited<ReturnType<typeof startFaultyProxy>>;
  beforeAll(async () => {
    farm = await startFarm({
      s3Front: async (endpoint) => {
        // Every third upload gets a 503 and every seventh a reset; the rest pass.
        proxy = await startFaultyProxy(endpoint, (req, n): Fault =>
          req.method === "PUT" && n % 3 === 1 ? "error-503" : req.method === "PUT" && n % 7 === 2 ? "reset" : "pass");
        return proxy;
      },
    });
    await Promise.all(["agent-1", "agent-2"].map((name) => farm.startAgent(name)));
  });
  afterAll(() => farm?.close());

  it("retries uploads and records each output once, with matching checksums", async () => {
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "s3-faults", priority: 0, baseSeed: 0, defaults: { model: "atelier-demo", width: 64, height: 64, steps: 6, guidance: 7.5, sampler: "euler" } },
      promptSpecs(ITEMS),
    );
    const last = await finalProgress(farm.client, batchId);
    expect(last).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: ITEMS, failed: 0 });
    expect(await inspectBatch(farm.database.db, farm.store, batchId)).toEqual(cleanState(ITEMS));
    expect(proxy.counts["error-503"]).toBeGreaterThan(10);
    expect(proxy.counts.reset).toBeGreaterThan(5);
  }, 180_000);
});
