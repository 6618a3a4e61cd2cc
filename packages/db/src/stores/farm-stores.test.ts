import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../migrate.ts";
import type { Database } from "../open-database.ts";
import { DATABASE_BACKENDS } from "../testing.ts";
import type { NewItem } from "../domain.ts";
import { agentRegistry } from "./agent-registry.ts";
import { batchStore } from "./batch-store.ts";
import { creatorStore } from "./creator-store.ts";
import { leaseStore } from "./lease-store.ts";
import { resultStore } from "./result-store.ts";

const settings = { model: "m", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" };
const items = (n: number): NewItem[] =>
  Array.from({ length: n }, (_, index) => ({ ...settings, index, prompt: `p${index}`, negativePrompt: "", seed: 4_000_000_000 + index }));
const capabilities = { models: ["m"], maxWidth: 512, maxHeight: 512 };
const agentHello = { name: "a", gpu: "", memoryBytes: 0, providers: ["cpu"], models: ["m"], slots: 1, maxWidth: 512, maxHeight: 512, version: "t" };

// The same cases against real Postgres and embedded PGlite: one data layer, two backends.
describe.each(DATABASE_BACKENDS)("farm stores on %s", (_name, open) => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await open());
    await agentRegistry.upsert(db, { id: "agent-1", ...agentHello });
    await agentRegistry.upsert(db, { id: "agent-2", ...agentHello });
  });
  afterAll(() => close());

  async function newBatch(id: string, n: number, maxAttempts = 5) {
    await batchStore.begin(db, { id, tenantId: "studio", name: id, priority: 0, defaults: settings, maxAttempts });
    await batchStore.append(db, id, items(n));
    await batchStore.commit(db, id, n);
  }

  it("migrations are recorded and re-running them applies nothing", async () => {
    const again = await migrate(db);
    expect(again.applied).toEqual([]);
    const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`);
    expect(rows[0]?.n).toBe(again.alreadyApplied);
  });

  it("a receiving batch is invisible until committed, and abort leaves no rows", async () => {
    await batchStore.begin(db, { id: "b-abort", tenantId: "studio", name: "", priority: 0, defaults: settings, maxAttempts: 5 });
    await batchStore.append(db, "b-abort", items(3));
    expect(await leaseStore.pickBatch(db, capabilities)).toBeUndefined();
    await batchStore.abort(db, "b-abort");
    const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM item WHERE batch_id = 'b-abort'`);
    expect(rows[0]?.n).toBe(0);
  });

  it("appends keep every character of a prompt, and items appear only at commit", async () => {
    const prompts = ["tab\there", "new\nline\r\n", "back\\slash \\N", "ünïcødé ✓", "quote ' \" end"];
    await batchStore.begin(db, { id: "b-text", tenantId: "studio", name: "", priority: 0, defaults: settings, maxAttempts: 5 });
    await batchStore.append(db, "b-text", prompts.slice(0, 2).map((prompt, index) => ({ ...items(1)[0]!, index, prompt, negativePrompt: prompt })));
    await batchStore.append(db, "b-text", prompts.slice(2).map((prompt, k) => ({ ...items(1)[0]!, index: k + 2, prompt, negativePrompt: "" })));
    await batchStore.commit(db, "b-text", prompts.length);
    const rows = await db.query<{ prompt: string; negativePrompt: string }>(
      `SELECT prompt, negative_prompt AS "negativePrompt" FROM item WHERE batch_id = 'b-text' ORDER BY index`);
    expect(rows.map((r) => r.prompt)).toEqual(prompts);
    expect(rows[1]!.negativePrompt).toBe(prompts[1]);
    await batchStore.cancel(db, "b-text"); // out of the way of the scheduling cases below
  });

  it("a failed append fails the commit, and abort then leaves no rows", async () => {
    await batchStore.begin(db, { id: "b-dup", tenantId: "studio", name: "", priority: 0, defaults: settings, maxAttempts: 5 });
    const failed = (async () => {
      await batchStore.append(db, "b-dup", items(3));
      await batchStore.append(db, "b-dup", items(1)); // index 0 again: unique (batch_id, index)
      await batchStore.commit(db, "b-dup", 4);
    })();
    await expect(failed).rejects.toThrow(/duplicate key|unique/);
    await batchStore.abort(db, "b-dup");
    const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM item WHERE batch_id = 'b-dup'`);
    expect(rows[0]?.n).toBe(0);
  });

  it("leases, completes once, and fences stale epochs", async () => {
    await newBatch("b1", 5);
    expect(await leaseStore.pickBatch(db, capabilities)).toEqual({ id: "b1", remaining: 5, model: "m" });
    const lease = await leaseStore.lease(db, "b1", { ...capabilities, agentId: "agent-1", shardId: "s1", maxItems: 3, leaseTtlMs: 30_000 });
    expect(lease?.items.map((i) => i.index)).toEqual([0, 1, 2]);
    expect(lease?.items[0]?.seed).toBe(4_000_000_000);
    // The lease's instants are the database's, in whole milliseconds: expiry a TTL after the batch began (give or take the clocks).
    const [times] = await db.query<{ expires: number; created: number }>(
      `SELECT (SELECT extract(epoch FROM expires_at) * 1000 FROM shard WHERE id = 's1')::float8 AS expires,
              (SELECT extract(epoch FROM created_at) * 1000 FROM batch WHERE id = 'b1')::float8 AS created`);
    expect(lease!.expiresAtMs).toBe(Math.round(times!.expires));
    expect(lease!.batchCreatedAtMs).toBe(Math.round(times!.created));
    expect(Number.isInteger(lease!.expiresAtMs) && Math.abs(lease!.expiresAtMs - lease!.batchCreatedAtMs - 30_000) < 20_000).toBe(true);
    const item = lease!.items[0]!;
    const output = { itemId: item.itemId, epoch: lease!.epoch, agentId: "agent-1", key: "k0", sha256: "x", bytes: 1, width: 64, height: 64, renderMs: 1, metadata: {} };
    const first = await resultStore.recordOutput(db, output);
    expect(first).toMatchObject({ accepted: true, counts: { done: 1 } });
    // The same result again (its ack was lost): a duplicate, not a second write.
    expect(await resultStore.recordOutput(db, output)).toEqual({ accepted: true, duplicate: true });
    const otherObject = await resultStore.recordOutput(db, { ...output, sha256: "y" });
    expect(otherObject).toMatchObject({ accepted: false, reason: `item ${item.itemId} is done; the lease under epoch ${lease!.epoch} no longer holds it` });
    const stale = await resultStore.recordOutput(db, { ...lease!.items[1]!, ...output, itemId: lease!.items[1]!.itemId, epoch: lease!.epoch - 1, key: "k1" });
    // The refusal names what the agent sent, never the epoch that holds the item now.
    expect(stale).toEqual({ accepted: false, reason: `no lease of this agent under epoch ${lease!.epoch - 1} holds item ${lease!.items[1]!.itemId}` });
  });

  it("records many outputs in one statement: fresh ones once, stale and repeated ones refused with a reason", async () => {
    await newBatch("b5", 4);
    const lease = await leaseStore.lease(db, "b5", { ...capabilities, agentId: "agent-1", shardId: "s5", maxItems: 4, leaseTtlMs: 30_000 });
    const output = (index: number, epoch = lease!.epoch) =>
      ({ itemId: lease!.items[index]!.itemId, epoch, key: `b5/${index}`, sha256: "x", bytes: 1, width: 64, height: 64, renderMs: 5, metadata: {} });
    const first = await resultStore.recordOutputs(db, "agent-1", [output(0), output(1), output(1), output(2, lease!.epoch - 1)]);
    expect(first.outcomes).toEqual([
      { accepted: true },
      { accepted: true },
      { accepted: false, reason: expect.stringContaining("already recorded") },
      { accepted: false, reason: expect.stringContaining(`no lease of this agent under epoch ${lease!.epoch - 1}`) },
    ]);
    expect(first.batches).toEqual([expect.objectContaining({ id: "b5", done: 2, total: 4 })]);
    // Sent again after a lost ack: output 0 is a duplicate; from another agent or with another object it is refused.
    const again = await resultStore.recordOutputs(db, "agent-1", [output(0), output(3)]);
    expect(again.outcomes).toEqual([{ accepted: true, duplicate: true }, { accepted: true }]);
    expect(again.batches).toEqual([expect.objectContaining({ id: "b5", done: 3 })]);
    const foreign = await resultStore.recordOutputs(db, "agent-2", [output(0)]);
    const altered = await resultStore.recordOutputs(db, "agent-1", [{ ...output(1), bytes: 2 }]);
    expect([...foreign.outcomes, ...altered.outcomes]).toEqual([
      { accepted: false, reason: expect.stringContaining("is done") },
      { accepted: false, reason: expect.stringContaining("is done") },
    ]);
    expect([...foreign.batches, ...altered.batches]).toEqual([]);
    const rows = await db.query<{ n: number; keys: string[]; done: number }>(
      `SELECT count(*)::int AS n, array_agg(key ORDER BY key) AS keys, (SELECT done FROM batch WHERE id = 'b5') AS done
       FROM output WHERE batch_id = 'b5'`);
    expect(rows[0]).toEqual({ n: 3, keys: ["b5/0", "b5/1", "b5/3"], done: 3 });
    // The last output settles the batch; its shard, awaiting the agent's ShardDone, ends with it.
    await resultStore.recordOutputs(db, "agent-1", [output(2)]);
    expect(await batchStore.finishIfSettled(db, "b5")).toBe("completed");
    const [shard] = await db.query<{ state: string }>(`SELECT state FROM shard WHERE id = 's5'`);
    expect(shard!.state).toBe("done");
  });

  it("records the measured keyword contributions of outputs that carry them, for the batch's tenant's own creators only", async () => {
    await newBatch("b-attr", 3);
    const terms = { displayName: "Ada", payee: "p", keywords: ["ada"], pricePerImage: null, platformShare: null };
    const own = await creatorStore.add(db, { tenantId: "studio", ...terms });
    const foreign = await creatorStore.add(db, { tenantId: "elsewhere", ...terms });
    const lease = await leaseStore.lease(db, "b-attr", { ...capabilities, agentId: "agent-1", shardId: "s-attr", maxItems: 3, leaseTtlMs: 30_000 });
    const measured = (creatorId: string, contribution: number) => ({ creatorId, keyword: "ada", contribution, area: 0.5, intensity: 1 });
    const output = (index: number, metadata: Record<string, unknown>) =>
      ({ itemId: lease!.items[index]!.itemId, epoch: lease!.epoch, key: `b-attr/${index}`, sha256: "x", bytes: 1, width: 64, height: 64, renderMs: 5, metadata });
    const { outcomes } = await resultStore.recordOutputs(db, "agent-1", [
      output(0, { attribution: { keywords: [measured(own, 0.25), measured(foreign, 0.75)], rest: 0 } }),
      output(1, {}),
      output(2, { attribution: { keywords: [measured(own, 0.5)], rest: 0.5 } }),
    ]);
    expect(outcomes).toEqual([{ accepted: true }, { accepted: true }, { accepted: true }]);
    const rows = await db.query<{ key: string; creatorId: string; contribution: number }>(
      `SELECT o.key, c.creator_id AS "creatorId", c.contribution FROM output_contribution c JOIN output o ON o.id = c.output_id
       WHERE o.batch_id = 'b-attr' ORDER BY o.key`);
    expect(rows).toEqual([{ key: "b-attr/0", creatorId: own, contribution: 0.25 }, { key: "b-attr/2", creatorId: own, contribution: 0.5 }]);
  });

  it("fair share bends toward the loaded model by a fraction of the mean share, never past a tenant with nothing leased", async () => {
    const caps = { models: ["am", "an", "ao"], maxWidth: 512, maxHeight: 512 };
    const batchOf = async (id: string, tenantId: string, model: string) => {
      await batchStore.begin(db, { id, tenantId, name: id, priority: 0, defaults: { ...settings, model }, maxAttempts: 5 });
      await batchStore.append(db, id, items(10).map((item) => ({ ...item, model })));
      await batchStore.commit(db, id, 10);
    };
    await batchOf("aff-a", "tenant-a", "am");
    await batchOf("aff-b", "tenant-b", "an");
    await leaseStore.lease(db, "aff-a", { ...caps, agentId: "agent-1", shardId: "aff-s1", maxItems: 3, leaseTtlMs: 30_000 });
    await leaseStore.lease(db, "aff-b", { ...caps, agentId: "agent-2", shardId: "aff-s2", maxItems: 2, leaseTtlMs: 30_000 });
    const pick = async (loadedModel: string, modelAffinity: number) => (await leaseStore.pickBatch(db, caps, { loadedModel, modelAffinity }))?.id;
    // Shares 3 and 2, mean 2.5: strict fair share sends every agent to b.
    expect(await pick("am", 0)).toBe("aff-b");
    // 3 - 0.9 * 2.5 < 2: an agent holding a's model stays on it.
    expect(await pick("am", 0.9)).toBe("aff-a");
    expect(await pick("an", 0.9)).toBe("aff-b");
    // A third tenant with nothing leased goes first: 3 - 0.9 * (5 / 3) > 0.
    await batchOf("aff-c", "tenant-c", "ao");
    expect(await pick("am", 0.9)).toBe("aff-c");
    for (const id of ["aff-a", "aff-b", "aff-c"]) await batchStore.cancel(db, id);
  });

  it("an expired lease requeues its items with attempts + 1 and the re-lease has a higher epoch", async () => {
    await newBatch("b2", 2);
    const lease = await leaseStore.lease(db, "b2", { ...capabilities, agentId: "agent-1", shardId: "s2", maxItems: 2, leaseTtlMs: 1 });
    await new Promise((r) => setTimeout(r, 20));
    expect(await leaseStore.renew(db, "agent-1", [{ shardId: "s2", epoch: lease!.epoch }], 30_000)).toEqual([]);
    const swept = await leaseStore.sweepExpired(db);
    expect(swept.shards).toBe(1);
    expect(swept.batches).toEqual([{ batchId: "b2", requeued: 2, failed: 0 }]);
    const again = await leaseStore.lease(db, "b2", { ...capabilities, agentId: "agent-2", shardId: "s2b", maxItems: 2, leaseTtlMs: 30_000 });
    expect(again!.epoch).toBeGreaterThan(lease!.epoch);
    const attempts = await db.query<{ attempts: number }>(`SELECT attempts FROM item WHERE batch_id = 'b2'`);
    expect(attempts.map((a) => a.attempts)).toEqual([1, 1]);
    const late = await resultStore.recordOutput(db, { itemId: lease!.items[0]!.itemId, epoch: lease!.epoch, agentId: "agent-1", key: "late", sha256: "x", bytes: 1, width: 64, height: 64, renderMs: 1, metadata: {} });
    expect(late.accepted).toBe(false);
  });

  it("fails an item at its attempt limit with its last error, and the batch settles", async () => {
    await newBatch("b3", 1, 2);
    for (let attempt = 1; attempt <= 2; attempt++) {
      await db.query(`UPDATE item SET not_before = NULL WHERE batch_id = 'b3'`);
      const lease = await leaseStore.lease(db, "b3", { ...capabilities, agentId: "agent-1", shardId: `s3-${attempt}`, maxItems: 1, leaseTtlMs: 30_000 });
      const result = await resultStore.recordFailure(db, { itemId: lease!.items[0]!.itemId, epoch: lease!.epoch, agentId: "agent-1", error: `boom ${attempt}`, retryable: true });
      expect(result.accepted && result.itemState).toBe(attempt === 2 ? "failed" : "queued");
    }
    expect(await batchStore.finishIfSettled(db, "b3")).toBe("failed");
    expect(await batchStore.failures(db, "b3", 10)).toEqual([{ index: 0, error: "boom 2", attempts: 2 }]);
  });

  it("of failures recorded at once, one reports the batch settled (each sees what the others committed)", async () => {
    for (let round = 0; round < 5; round++) {
      const id = `b-race-${round}`;
      await newBatch(id, 8, 1);
      const leases = await Promise.all(Array.from({ length: 8 }, (_, n) =>
        leaseStore.lease(db, id, { ...capabilities, agentId: "agent-1", shardId: `${id}-${n}`, maxItems: 1, leaseTtlMs: 30_000 })));
      const results = await Promise.all(leases.map((lease) =>
        resultStore.recordFailure(db, { itemId: lease!.items[0]!.itemId, epoch: lease!.epoch, agentId: "agent-1", error: "boom", retryable: true })));
      const seen = results.map((result) => (result.accepted ? result.counts.failed : -1)).sort((a, b) => a - b);
      expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
  });

  it("a batch left open with every item settled is found by the sweep", async () => {
    await newBatch("b-open", 2, 1);
    await db.query(`UPDATE item SET state = 'failed' WHERE batch_id = 'b-open'`);
    await db.query(`UPDATE batch SET failed = 2 WHERE id = 'b-open'`);
    expect(await batchStore.settledButLive(db)).toContain("b-open");
    expect(await batchStore.finishIfSettled(db, "b-open")).toBe("failed");
    expect(await batchStore.settledButLive(db)).not.toContain("b-open");
  });

  it("a released shard requeues at no attempt cost; cancel stops everything", async () => {
    await newBatch("b4", 3);
    const lease = await leaseStore.lease(db, "b4", { ...capabilities, agentId: "agent-2", shardId: "s4", maxItems: 3, leaseTtlMs: 30_000 });
    await leaseStore.release(db, "s4", lease!.epoch, "agent-2");
    const rows = await db.query<{ attempts: number; state: string }>(`SELECT attempts, state FROM item WHERE batch_id = 'b4'`);
    expect(rows.every((r) => r.attempts === 0 && r.state === "queued")).toBe(true);
    await leaseStore.lease(db, "b4", { ...capabilities, agentId: "agent-2", shardId: "s4b", maxItems: 1, leaseTtlMs: 30_000 });
    const { shards } = await batchStore.cancel(db, "b4");
    expect(shards).toEqual([{ shardId: "s4b", agentId: "agent-2" }]);
    expect(await batchStore.counts(db, "b4")).toMatchObject({ state: "cancelled", cancelled: 3 });
  });

  it("a result, failure, shard end or release from an agent that does not hold the lease changes nothing", async () => {
    await newBatch("rogue", 2);
    const lease = await leaseStore.lease(db, "rogue", { ...capabilities, agentId: "agent-1", shardId: "s-rogue", maxItems: 2, leaseTtlMs: 30_000 });
    const [first, second] = lease!.items;
    const before = await db.query(`SELECT id, state, attempts, lease_epoch::text FROM item WHERE batch_id = 'rogue' ORDER BY id`);
    const output = { itemId: first!.itemId, epoch: lease!.epoch, key: "rogue-k", sha256: "x", bytes: 1, width: 64, height: 64, renderMs: 1, metadata: {} };
    const outcome = await resultStore.recordOutputs(db, "agent-2", [output]);
    expect(outcome.outcomes[0]).toEqual({ accepted: false, reason: `no lease of this agent under epoch ${lease!.epoch} holds item ${first!.itemId}` });
    expect(outcome.outcomes[0]!.accepted || JSON.stringify(outcome).includes("agent-1")).toBe(false);
    expect((await resultStore.recordFailure(db, { itemId: second!.itemId, epoch: lease!.epoch, agentId: "agent-2", error: "x", retryable: false })).accepted).toBe(false);
    expect((await leaseStore.finish(db, "s-rogue", lease!.epoch, "agent-2")).shards).toBe(0);
    expect((await leaseStore.release(db, "s-rogue", lease!.epoch, "agent-2")).shards).toBe(0);
    expect(await db.query(`SELECT id, state, attempts, lease_epoch::text FROM item WHERE batch_id = 'rogue' ORDER BY id`)).toEqual(before);
    expect(await db.query(`SELECT state FROM shard WHERE id = 's-rogue'`)).toEqual([{ state: "leased" }]);
    expect(await db.query(`SELECT 1 FROM output WHERE key = 'rogue-k'`)).toEqual([]);
    // The holder's own word still counts.
    expect((await resultStore.recordOutputs(db, "agent-1", [output])).outcomes[0]).toEqual({ accepted: true });
  });
});
