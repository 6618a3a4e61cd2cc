import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../open-database.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import type { Lease } from "../domain.ts";
import { agentRegistry } from "./agent-registry.ts";
import { batchStore } from "./batch-store.ts";
import { leaseStore } from "./lease-store.ts";
import { resultStore } from "./result-store.ts";

const settings = { model: "m", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" };
const capabilities = { models: ["m"], maxWidth: 512, maxHeight: 512 };
const hello = { name: "a", gpu: "", memoryBytes: 0, providers: ["cpu"], models: ["m"], slots: 1, maxWidth: 512, maxHeight: 512, version: "t" };

describe("speculative copies of a straggler's tail", () => {
  let test: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    test = await createTestDatabase();
    db = test.db;
    for (const id of ["slow", "idle"]) await agentRegistry.upsert(db, { id, ...hello });
  });
  afterAll(() => test.drop());

  async function leasedBatch(id: string, n: number): Promise<Lease> {
    await batchStore.begin(db, { id, tenantId: "studio", name: id, priority: 0, defaults: settings, maxAttempts: 5 });
    await batchStore.append(db, id, Array.from({ length: n }, (_, index) => ({ ...settings, index, prompt: `p${index}`, negativePrompt: "", seed: index })));
    await batchStore.commit(db, id, n);
    return (await leaseStore.lease(db, id, { ...capabilities, agentId: "slow", shardId: `${id}-own`, maxItems: n, leaseTtlMs: 30_000 }))!;
  }
  const copyFor = (agentId: string, shardId: string, minAgeMs = 0) =>
    leaseStore.speculate(db, { ...capabilities, agentId, shardId, maxItems: 16, leaseTtlMs: 30_000, minAgeMs });
  const output = (itemId: string, epoch: number, sha256: string) =>
    ({ itemId, epoch, key: `k${itemId}`, sha256, bytes: 1, width: 64, height: 64, renderMs: 1, metadata: {} });
  const items = (batchId: string) => db.query<{ index: number; state: string; attempts: number; lost_leases: number; shard_id: string | null }>(
    `SELECT index, state, attempts, lost_leases, shard_id FROM item WHERE batch_id = $1 ORDER BY index`, [batchId]);

  it("copies the later half of the unfinished items; the first valid result of each wins", async () => {
    const own = await leasedBatch("race", 4);
    expect(await copyFor("slow", "race-self")).toBeUndefined(); // never of its own shard
    expect(await copyFor("idle", "race-young", 60_000)).toBeUndefined(); // nor of a shard on schedule
    const copy = (await copyFor("idle", "race-copy"))!;
    expect(copy.items.map((item) => item.index)).toEqual([2, 3]);
    expect(copy.epoch).toBeGreaterThan(own.epoch);
    // Another idle agent copies half of what is still uncopied, and so on; never an item twice.
    expect((await copyFor("idle", "race-more"))!.items.map((item) => item.index)).toEqual([1]);
    expect((await copyFor("idle", "race-last"))!.items.map((item) => item.index)).toEqual([0]);
    expect(await copyFor("idle", "race-none")).toBeUndefined();

    const [, , second, last] = own.items;
    expect((await resultStore.recordOutputs(db, "idle", [output(last!.itemId, copy.epoch, "a")])).outcomes).toEqual([{ accepted: true }]);
    expect((await resultStore.recordOutputs(db, "slow", [output(last!.itemId, own.epoch, "a")])).outcomes[0]!.accepted).toBe(false);
    expect((await resultStore.recordOutputs(db, "slow", [output(second!.itemId, own.epoch, "b")])).outcomes).toEqual([{ accepted: true }]);
    expect((await resultStore.recordOutputs(db, "idle", [output(second!.itemId, copy.epoch, "b")])).outcomes[0]!.accepted).toBe(false);
    const rows = await db.query<{ index: number; epoch: string }>(
      `SELECT i.index, o.epoch::text AS epoch FROM output o JOIN item i ON i.id = o.item_id WHERE o.batch_id = 'race' ORDER BY i.index`);
    expect(rows).toEqual([{ index: 2, epoch: String(own.epoch) }, { index: 3, epoch: String(copy.epoch) }]);
    expect(await batchStore.counts(db, "race")).toMatchObject({ done: 2 });
  });

  it("when the straggler's lease expires, the copy takes its items over at no cost; the rest requeue", async () => {
    const own = await leasedBatch("expire", 2);
    const copy = (await copyFor("idle", "expire-copy"))!;
    expect(copy.items.map((item) => item.index)).toEqual([1]);
    await db.query(`UPDATE shard SET expires_at = now() - interval '1 second' WHERE id = $1`, [own.shardId]);
    await leaseStore.sweepExpired(db);
    expect(await items("expire")).toEqual([
      { index: 0, state: "queued", attempts: 1, lost_leases: 1, shard_id: null },
      { index: 1, state: "leased", attempts: 0, lost_leases: 0, shard_id: "expire-copy" },
    ]);
    expect((await resultStore.recordOutputs(db, "idle", [output(copy.items[0]!.itemId, copy.epoch, "c")])).outcomes).toEqual([{ accepted: true }]);
  });

  it("a copy's failure, or its end, costs the item nothing", async () => {
    const own = await leasedBatch("spare", 4);
    const copy = (await copyFor("idle", "spare-copy"))!;
    const failed = await resultStore.recordFailure(db, { itemId: copy.items[0]!.itemId, epoch: copy.epoch, agentId: "idle", error: "out of memory", retryable: true });
    expect(failed).toMatchObject({ accepted: true, itemState: "leased" });
    await leaseStore.finish(db, copy.shardId, copy.epoch, "idle");
    expect((await items("spare")).every((item) => item.state === "leased" && item.attempts === 0 && item.shard_id === own.shardId)).toBe(true);
    // Its items are free to be copied again, and the straggler's results still count.
    expect((await copyFor("idle", "spare-copy-2"))!.items.map((item) => item.index)).toEqual([2, 3]);
    expect((await resultStore.recordOutputs(db, "slow", [output(own.items[3]!.itemId, own.epoch, "d")])).outcomes).toEqual([{ accepted: true }]);
  });
});
