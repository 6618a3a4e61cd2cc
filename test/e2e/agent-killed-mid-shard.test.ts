import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { waitForMidShard } from "../support/mid-shard.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptAt } from "../support/prompt-files.ts";
import { connectRawAgent } from "../support/raw-agent.ts";

const ITEMS = 300;

// docs/reliability.md, scenario 1.
describe("an agent killed mid-shard", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    farm = await startFarm({ coordinatorEnv: { ATELIER_MAX_SHARD_ITEMS: "32" } });
    await Promise.all(["agent-1", "agent-2", "agent-3"].map((name) => farm.startAgent(name)));
  });
  afterAll(() => farm?.close());

  it("loses no image and doubles none; the re-lease has a higher epoch and the old epoch is refused", async () => {
    const { db } = farm.database;
    const items = Array.from({ length: ITEMS }, (_, i) => ({
      prompt: promptAt(i), negativePrompt: "", seed: i, hasSeed: true, count: 1, source: `item ${i}`,
    }));
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "kill", priority: 0, baseSeed: 0, defaults: { model: "atelier-demo", width: 128, height: 128, steps: 10, guidance: 7.5, sampler: "euler" } },
      items,
    );

    // Wait until agent-2 is inside a shard: some of its items done, many not. An
    // agent runs ahead of the rows (two renders asked for, four uploads, results
    // in transit), so a few open items may all be sent already when it dies; with
    // 16 open on a loaded machine, some are still unrendered and must be re-leased.
    const victim = await waitForMidShard(db, batchId, { agent: "agent-2", minOpen: 16, minDone: 1 });
    farm.agents.get("agent-2")!.child.kill("SIGKILL");
    const unfinished = await db.query<{ itemId: string }>(
      `SELECT id::text AS "itemId" FROM item WHERE shard_id = $1 AND state = 'leased'`,
      [victim.shardId],
    );
    expect(unfinished.length).toBeGreaterThan(0);

    const last = await finalProgress(farm.client, batchId);
    expect(last).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: ITEMS, failed: 0 });
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(ITEMS));

    // The killed agent's shard expired; its unfinished items were re-leased at a higher epoch.
    const [shard] = await db.query<{ state: string }>(`SELECT state FROM shard WHERE id = $1`, [victim.shardId]);
    expect(shard!.state).toBe("expired");
    const relet = await db.query<{ epoch: string; attempts: number; beforeExpiry: boolean }>(
      `SELECT o.epoch::text AS epoch, i.attempts, o.created_at <= s.ended_at AS "beforeExpiry"
       FROM output o JOIN item i ON i.id = o.item_id JOIN shard s ON s.id = $2
       WHERE o.item_id = ANY($1::bigint[])`,
      [unfinished.map((u) => u.itemId), victim.shardId],
    );
    expect(relet).toHaveLength(unfinished.length);
    // A result the agent sent just before it died may still have been accepted (before its lease ended);
    // every other item was re-leased at a higher epoch.
    const reLeased = relet.filter((row) => BigInt(row.epoch) > BigInt(victim.epoch));
    expect(reLeased.length).toBeGreaterThan(0);
    for (const row of reLeased) expect(row.attempts).toBe(1);
    for (const row of relet.filter((r) => BigInt(r.epoch) === BigInt(victim.epoch))) expect(row.beforeExpiry).toBe(true);

    // A late report from the old epoch (the killed agent, back from the dead) is refused.
    const [{ itemId: staleItem }] = (await db.query<{ itemId: string }>(
      `SELECT item_id::text AS "itemId" FROM output WHERE item_id = ANY($1::bigint[]) AND epoch > $2::bigint LIMIT 1`,
      [unfinished.map((u) => u.itemId), victim.epoch],
    )) as [{ itemId: string }];
    const ack = await reportAsStaleAgent(farm, staleItem, Number(victim.epoch), victim.shardId);
    expect(ack.accepted).toBe(false);
    expect(ack.reason).toMatch(/no longer holds it|no lease of this agent/);
    const [after] = await db.query<{ n: number; epoch: string }>(
      `SELECT count(*)::int AS n, max(epoch)::text AS epoch FROM output WHERE item_id = $1::bigint`,
      [staleItem],
    );
    expect(after!.n).toBe(1);
    expect(BigInt(after!.epoch)).toBeGreaterThan(BigInt(victim.epoch));
  }, 240_000);
});

/** Speaks AgentLink directly, as the killed agent would after a long pause (with its own credential), and returns the coordinator's ack. */
async function reportAsStaleAgent(farm: FarmFixture, itemId: string, epoch: number, shardId: string) {
  const agent = connectRawAgent(farm.coordinatorAddress, await farm.enroll("agent-2"), { agentId: "agent-2", name: "agent-2", slots: 1, models: ["atelier-demo"] });
  try {
    const [row] = await farm.database.db.query<{ key: string; sha256: string; bytes: number }>(
      `SELECT key, sha256, bytes FROM output WHERE item_id = $1::bigint`,
      [itemId],
    );
    // The very bytes that stand there: only the lease can refuse it.
    const md5 = createHash("md5").update(await farm.store.get(row!.key)).digest("hex");
    agent.send({ results: { results: [{ shardId, epoch, itemId, key: row!.key, sha256: row!.sha256, md5, bytes: row!.bytes, width: 128, height: 128 }] } });
    return (await agent.next("resultAcks")).acks[0]!;
  } finally {
    agent.close();
  }
}
