import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { waitForMidShard } from "../support/mid-shard.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";

const ITEMS = 200;

// docs/reliability.md, scenario 2.
describe("an agent paused past its lease (SIGSTOP, then SIGCONT)", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    farm = await startFarm({ coordinatorEnv: { ATELIER_MAX_SHARD_ITEMS: "8" } });
    await Promise.all(["agent-1", "agent-2"].map((name) => farm.startAgent(name)));
  });
  afterAll(() => farm?.close());

  it("has its late work refused; the new holder's results stand and the counts are exact", async () => {
    const { db } = farm.database;
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "paused", priority: 0, baseSeed: 0, defaults: { model: "atelier-demo", width: 256, height: 256, steps: 20, guidance: 7.5, sampler: "euler" } },
      promptSpecs(ITEMS),
    );
    const victim = await waitForMidShard(db, batchId, { agent: "agent-2", minOpen: 3 });
    const agent = farm.agents.get("agent-2")!.child;
    agent.kill("SIGSTOP");
    // Past the 2 s lease and a sweep: the shard is given to agent-1.
    await waitFor("the paused agent's lease to expire", async () => {
      const [row] = await db.query<{ state: string }>(`SELECT state FROM shard WHERE id = $1`, [victim.shardId]);
      return row!.state === "expired";
    }, 30_000, 50);
    await waitFor("its items to be re-leased", async () => {
      const rows = await db.query(`SELECT id FROM item WHERE shard_id = $1 AND state = 'leased'`, [victim.shardId]);
      return rows.length === 0;
    }, 30_000, 50);
    agent.kill("SIGCONT");

    const last = await finalProgress(farm.client, batchId);
    expect(last).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: ITEMS, failed: 0 });
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(ITEMS));
    // Nothing was accepted from the paused agent's epoch after its lease ended.
    const stale = await db.query(
      `SELECT o.id FROM output o JOIN shard s ON s.epoch = o.epoch WHERE s.id = $1 AND o.created_at > s.ended_at`,
      [victim.shardId],
    );
    const adopted = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM output o JOIN item i ON i.id = o.item_id WHERE i.shard_id IS NOT NULL AND o.epoch > $1::bigint AND o.batch_id = $2`,
      [victim.epoch, batchId],
    );
    expect(stale).toEqual([]);
    expect(adopted[0]!.n).toBeGreaterThan(0);
    // The agent came back and works again.
    await waitFor("agent-2 to be online again", async () => (await farm.client.listAgents()).some((a) => a.name === "agent-2" && a.status === "online"), 30_000);
  }, 180_000);
});
