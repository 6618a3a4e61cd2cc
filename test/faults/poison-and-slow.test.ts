import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeTestModel } from "@atelier/diffusion/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtelier } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptAt } from "../support/prompt-files.ts";

const settings = { model: "atelier-demo", width: 128, height: 128, steps: 12, guidance: 7.5, sampler: "euler" };
const spec = (i: number, model = "") => ({ prompt: promptAt(i), negativePrompt: "", seed: i, hasSeed: true, count: 1, source: `item ${i}`, settings: { ...settings, model } });

const SHARD_TARGET_MS = 12_000;

// SD's scaled_linear betas with the last one set to 1: ᾱ_999 = 0, σ_999 is
// infinite, and with trailing spacing the first step (timestep 999) turns the
// latents to NaN (as pipeline-numerics.test.ts's broken model does).
const NAN_BETAS = Array.from({ length: 1000 }, (_, i) => (i === 999 ? 1 : (Math.sqrt(0.00085) + ((Math.sqrt(0.012) - Math.sqrt(0.00085)) * i) / 999) ** 2));

// docs/reliability.md, scenarios 6 and 8.
describe("a poison item and a slow shard", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    farm = await startFarm({
      coordinatorEnv: { ATELIER_MAX_ATTEMPTS: "3", ATELIER_MAX_SHARD_ITEMS: "500", ATELIER_SHARD_TARGET_MS: String(SHARD_TARGET_MS) },
    });
    // A model folder that agents announce but cannot load: every render of it fails, retryably.
    mkdirSync(join(farm.modelsDir, "broken"));
    writeFileSync(join(farm.modelsDir, "broken", "model_index.json"), "{}");
    // A model that loads and renders NaN latents: the same on every try and every agent.
    await writeTestModel(farm.modelsDir, "nan-latents", { scheduler: { trained_betas: NAN_BETAS, timestep_spacing: "trailing" } });
    await farm.startAgent("agent-1");
  });
  afterAll(() => farm?.close());

  const finish = async (batchId: string) => {
    const last = await finalProgress(farm.client, batchId);
    return last!;
  };

  it("retries a poison item with backoff up to the limit, fails it with its last error, and completes the rest", async () => {
    const { db } = farm.database;
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "poison", priority: 0, baseSeed: 0, defaults: settings },
      [spec(0), spec(1), spec(2, "broken"), spec(3), spec(4)],
    );
    expect(await finish(batchId)).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: 4, failed: 1 });
    const [poison] = await db.query<{ state: string; attempts: number; error: string }>(
      `SELECT state, attempts, last_error AS error FROM item WHERE batch_id = $1 AND model = 'broken'`,
      [batchId],
    );
    expect(poison).toMatchObject({ state: "failed", attempts: 3 });
    expect(poison!.error).toMatch(/broken/);
    const status = await runAtelier(["status", batchId, "--coordinator", farm.coordinatorAddress], farm.cliEnv);
    expect(status.output).toMatch(/item 2 failed after 3 attempts: .*broken/);
  }, 120_000);

  it("fails an item whose latents turn NaN after one attempt, naming the step, without retrying it; the rest completes", async () => {
    const { db } = farm.database;
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "nan", priority: 0, baseSeed: 0, defaults: settings },
      [spec(0), spec(1, "nan-latents"), spec(2)],
    );
    expect(await finish(batchId)).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: 2, failed: 1 });
    const [nan] = await db.query<{ state: string; attempts: number; lostLeases: number; error: string }>(
      `SELECT state, attempts, lost_leases AS "lostLeases", last_error AS error FROM item WHERE batch_id = $1 AND model = 'nan-latents'`,
      [batchId],
    );
    // A retryable failure would have been tried ATELIER_MAX_ATTEMPTS (3) times, as the poison item above is.
    expect(nan).toMatchObject({ state: "failed", attempts: 1, lostLeases: 0 });
    expect(nan!.error).toMatch(/latents after step 1 of 12 \(timestep 999\) has (NaN|-?Infinity)/);
    const [objects] = await db.query<{ outputs: number }>(
      `SELECT count(*)::int AS outputs FROM output o JOIN item i ON i.id = o.item_id WHERE i.batch_id = $1 AND i.model = 'nan-latents'`,
      [batchId],
    );
    expect(objects!.outputs).toBe(0);
    const status = await runAtelier(["status", batchId, "--coordinator", farm.coordinatorAddress], farm.cliEnv);
    expect(status.output).toMatch(/item 1 failed after 1 attempts: .*latents after step 1 of 12/);
  }, 120_000);

  it("keeps a shard that runs for more than three lease TTLs: heartbeats flow while the pipeline is busy", async () => {
    const { db } = farm.database;
    const defaults = { ...settings, width: 512, height: 512, steps: 30 };
    const submit = (name: string, count: number) => farm.client.submitBatch(
      { tenant: "studio", name, priority: 0, baseSeed: 0, defaults },
      Array.from({ length: count }, (_, i) => ({ ...spec(i), settings: undefined })),
    );
    // This machine's speed first: a single agent's shard is at most half of
    // what is left, so the batch holds twice the shard target of work and its
    // first full shard the shard target's worth (12 s: twice the 3 TTLs it must outlast, as
    // renders on a shared machine speed up and slow down), whatever the speed.
    // A warm-up batch goes first: an agent's first renders run several times slower
    // than the rest, and counted in the probe they sized the batch (and the
    // coordinator's rate estimate, hence its shards) for half the time.
    await finish((await submit("warm-up", 6)).batchId);
    const probe = await submit("probe", 12);
    await finish(probe.batchId);
    const [{ ms } = { ms: 0 }] = await db.query<{ ms: number }>(`SELECT avg(render_ms)::float8 AS ms FROM output WHERE batch_id = $1`, [probe.batchId]);
    const count = Math.min(1_000, Math.ceil(((2 * SHARD_TARGET_MS) / ms) * 1.2));
    const { batchId } = await submit("slow", count);
    expect(await finish(batchId)).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: count });
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(count));
    const [longest] = await db.query<{ ms: number; expired: number; retried: number }>(
      `SELECT max(extract(epoch FROM ended_at - leased_at) * 1000)::int AS ms,
              count(*) FILTER (WHERE state = 'expired')::int AS expired,
              (SELECT count(*)::int FROM item WHERE batch_id = $1 AND attempts > 0) AS retried
       FROM shard WHERE batch_id = $1`,
      [batchId],
    );
    expect(longest!.ms).toBeGreaterThan(3 * 2_000); // the test lease TTL is 2 s
    expect(longest).toMatchObject({ expired: 0, retried: 0 });
  }, 180_000);
});
