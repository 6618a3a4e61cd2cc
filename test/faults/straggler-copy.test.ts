import { Agent } from "@atelier/agent";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";
import { SlowRenderer } from "../support/slow-renderer.ts";

// A straggler holds a shard far longer than planned while a fast agent has
// nothing left to do: the fast one takes a speculative copy of the
// straggler's unfinished items and the batch ends when the copy does.
// Agents run in this process (the real Agent over real gRPC) so that their
// speeds can be chosen; every image is the same 1x1 PNG, as deterministic
// renders of one item are alike on any agent.

const SLOW_RENDER_MS = 4_000;
const FAST_RENDER_MS = 20;
const ITEMS = 12;
const settings = { model: "bench-model", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" };

// docs/reliability.md, scenario 16.
describe("a straggler's tail copied by an idle agent", () => {
  let farm: FarmFixture;
  const agents: Agent[] = [];
  const startAgent = async (id: string, renderMs: number) => {
    const agent = new Agent({
      coordinator: farm.coordinatorAddress, security: { token: await farm.enroll(id) }, id, name: id, renderers: [new SlowRenderer(renderMs)], models: [settings.model],
      providers: ["cpu"], gpu: "none", memoryBytes: 0, maxWidth: 512, maxHeight: 512, version: "test", log: pino({ level: "warn" }),
    });
    agents.push(agent);
    await agent.start();
  };

  beforeAll(async () => {
    farm = await startFarm({ coordinatorEnv: { ATELIER_SPECULATE_AFTER_MS: "1000", ATELIER_SHARD_TARGET_MS: "500", ATELIER_LEASE_TTL_MS: "6000", ATELIER_HEARTBEAT_MS: "1000" } });
  });
  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await farm?.close();
  });

  it("finishes when the copy does, with one output per item and the straggler's late results refused", async () => {
    const { db } = farm.database;
    await startAgent("straggler", SLOW_RENDER_MS);
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "straggler", priority: 0, baseSeed: 0, defaults: settings },
      promptSpecs(ITEMS),
    );
    // The straggler's first (probe) shard is leased before the fast agent exists.
    const shardOf = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM shard WHERE batch_id = $1`, [batchId]))[0]!.n;
    while ((await shardOf()) === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    await startAgent("fast", FAST_RENDER_MS);

    const last = await finalProgress(farm.client, batchId);
    expect(last).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: ITEMS });
    const [timing] = await db.query<{ ms: number }>(
      `SELECT (extract(epoch FROM finished_at - created_at) * 1000)::int AS ms FROM batch WHERE id = $1`, [batchId]);
    // Alone, the straggler would need two renders for its probe shard.
    expect(timing!.ms).toBeLessThan(2 * SLOW_RENDER_MS);

    const shards = await db.query<{ agent: string; speculative: boolean; n: number }>(
      `SELECT agent_id AS agent, speculative, count(*)::int AS n FROM shard WHERE batch_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`, [batchId]);
    expect(shards).toContainEqual({ agent: "fast", speculative: true, n: expect.any(Number) });
    expect(shards.filter((s) => s.speculative).every((s) => s.agent === "fast")).toBe(true);
    // The fast agent rendered every item; the straggler's results (if any arrived) were refused.
    const [byAgent] = await db.query<{ fast: number; straggler: number }>(
      `SELECT count(*) FILTER (WHERE agent_id = 'fast')::int AS fast, count(*) FILTER (WHERE agent_id = 'straggler')::int AS straggler
       FROM output WHERE batch_id = $1`, [batchId]);
    expect(byAgent).toEqual({ fast: ITEMS, straggler: 0 });
    // Once the batch has ended, the straggler's lease is not renewed and it stops: nothing stays leased.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(ITEMS));
    const [items] = await db.query<{ attempts: number; lost: number }>(
      `SELECT sum(attempts)::int AS attempts, sum(lost_leases)::int AS lost FROM item WHERE batch_id = $1`, [batchId]);
    expect(items).toEqual({ attempts: 0, lost: 0 });
  }, 60_000);
});
