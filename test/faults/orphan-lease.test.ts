import { randomUUID } from "node:crypto";
import { leaseStore, resultStore } from "@atelier/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";

const ITEMS = 120;

// docs/reliability.md scenario 4. A coordinator dying between committing a lease and sending it cannot be
// timed from outside, so the test makes the same state directly: it commits the lease itself, with the
// statement the dispatcher uses, for an agent that is never told, and kills agent-1's coordinator.
describe("an orphan lease: committed for agent-1 through the lease store, never sent to it, its coordinator then killed", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    farm = await startFarm({ coordinators: 2, coordinatorEnv: { ATELIER_MAX_SHARD_ITEMS: "4" } });
    const [a, b] = farm.coordinators.map((c) => c.address);
    await farm.startAgent("agent-1", {}, `${a},${b}`);
    await farm.startAgent("agent-2", {}, `${b},${a}`);
  });
  afterAll(() => farm?.close());

  it("expires by the database clock, unrenewed; its items are leased again and complete exactly once under a higher epoch; a late completion under its epoch is refused", async () => {
    const { db } = farm.database;
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "orphan", priority: 0, baseSeed: 0, defaults: { model: "atelier-demo", width: 256, height: 256, steps: 20, guidance: 7.5, sampler: "euler" } },
      promptSpecs(ITEMS),
    );
    // The statement coordinator A's dispatcher would commit for its agent-1; A is killed and no Assign goes out.
    const orphan = await leaseStore.lease(db, batchId, {
      agentId: "agent-1", shardId: randomUUID(), models: ["atelier-demo"], maxWidth: 2048, maxHeight: 2048, maxItems: 4, leaseTtlMs: 2_000,
    });
    farm.coordinators[0]!.process.child.kill("SIGKILL");
    expect(orphan?.items.length).toBe(4);
    const orphanIds = orphan!.items.map((item) => item.itemId);

    const last = await finalProgress(farm.clientFor(farm.coordinators[1]!.address), batchId);
    expect(last).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: ITEMS, failed: 0 });
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(ITEMS));

    // Agent-1 never heard of the shard: nothing renewed it, and it ended only once the database said it was due.
    const [shard] = await db.query<{ state: string; onTime: boolean; renewed: boolean }>(
      `SELECT state, ended_at >= expires_at AS "onTime", expires_at > leased_at + interval '2.5 seconds' AS renewed FROM shard WHERE id = $1`,
      [orphan!.shardId],
    );
    expect(shard).toEqual({ state: "expired", onTime: true, renewed: false });
    // Its items were re-leased once, with a higher epoch, and each has one output of that later epoch.
    const items = await db.query<{ lost: number; epoch: string; outputs: number }>(
      `SELECT i.lost_leases AS lost, max(o.epoch)::text AS epoch, count(o.id)::int AS outputs
       FROM item i LEFT JOIN output o ON o.item_id = i.id WHERE i.id = ANY($1::bigint[]) GROUP BY i.id`,
      [orphanIds],
    );
    expect(items).toHaveLength(4);
    for (const item of items) {
      expect(item).toMatchObject({ lost: 1, outputs: 1 });
      expect(Number(item.epoch)).toBeGreaterThan(orphan!.epoch);
    }

    // A completion under the orphan epoch, were one ever sent, is refused, even naming the very object recorded.
    const [recorded] = await db.query<{ key: string; sha256: string; bytes: number }>(`SELECT key, sha256, bytes FROM output WHERE item_id = $1`, [orphanIds[0]]);
    const late = await resultStore.recordOutputs(db, "agent-1", [
      { itemId: orphanIds[0]!, epoch: orphan!.epoch, ...recorded!, width: 256, height: 256, renderMs: 1, metadata: {} },
    ]);
    // The refusal names the sender's own epoch, not the live one (docs/threat-model.md).
    expect(late.outcomes).toEqual([{ accepted: false, reason: expect.stringContaining(`the lease under epoch ${orphan!.epoch} no longer holds it`) }]);
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(ITEMS));
  }, 120_000);
});
