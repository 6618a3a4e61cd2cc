import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../open-database.ts";
import { DATABASE_BACKENDS } from "../testing.ts";
import type { NewItem } from "../domain.ts";
import { agentRegistry } from "./agent-registry.ts";
import { batchRerun } from "./batch-rerun.ts";
import { batchStore } from "./batch-store.ts";
import { dashboardQueries } from "./dashboard-queries.ts";
import { leaseStore } from "./lease-store.ts";
import { resultStore } from "./result-store.ts";

const settings = { model: "m", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" };
const items = (n: number): NewItem[] =>
  Array.from({ length: n }, (_, index) => ({ ...settings, index, prompt: `prompt ${index}`, negativePrompt: "", seed: 100 + index }));
const capabilities = { models: ["m"], maxWidth: 512, maxHeight: 512 };
const hello = { name: "gpu-a", gpu: "cpu", memoryBytes: 1, providers: ["cpu"], models: ["m"], slots: 2, maxWidth: 512, maxHeight: 512, version: "t" };

describe.each(DATABASE_BACKENDS)("dashboard queries on %s", (_name, open) => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await open());
    await agentRegistry.upsert(db, { id: "agent-a", ...hello });
  });
  afterAll(() => close());

  async function newBatch(id: string, n: number, maxAttempts = 5) {
    await batchStore.begin(db, { id, tenantId: "studio", name: `batch ${id}`, priority: 0, defaults: settings, maxAttempts });
    await batchStore.append(db, id, items(n));
    await batchStore.commit(db, id, n);
  }

  /** Leases `n` items to agent-a and settles them: the first `ok` rendered, the rest failed for good. */
  async function settle(batchId: string, n: number, ok: number, error = "out of memory") {
    const lease = await leaseStore.lease(db, batchId, { ...capabilities, agentId: "agent-a", shardId: `${batchId}-s${Date.now()}`, maxItems: n, leaseTtlMs: 30_000 });
    for (const [k, item] of lease!.items.entries()) {
      if (k < ok) {
        await resultStore.recordOutput(db, {
          itemId: item.itemId, epoch: lease!.epoch, agentId: "agent-a", key: `studio/${batchId}/${item.index}`, sha256: "0".repeat(64),
          bytes: 10, width: 64, height: 64, renderMs: 5, metadata: {},
        });
      } else {
        await resultStore.recordFailure(db, { itemId: item.itemId, epoch: lease!.epoch, agentId: "agent-a", error: `${error} on item ${k % 2}`, retryable: false });
      }
    }
    return lease!;
  }

  it("lists batches newest first, by state, a page at a time", async () => {
    for (const id of ["l1", "l2", "l3"]) await newBatch(id, 2);
    await batchStore.cancel(db, "l2");
    const firstPage = await dashboardQueries.listBatches(db, { limit: 2 });
    expect(firstPage.map((b) => b.id)).toEqual(["l3", "l2"]);
    const next = await dashboardQueries.listBatches(db, { limit: 2, before: firstPage[1]! });
    expect(next.map((b) => b.id)).toEqual(["l1"]);
    expect((await dashboardQueries.listBatches(db, { limit: 10, state: "live" })).map((b) => b.id)).toEqual(["l3", "l1"]);
    expect((await dashboardQueries.listBatches(db, { limit: 10, state: "cancelled" }))[0]).toMatchObject({ id: "l2", total: 2, cancelled: 2, name: "batch l2" });
  });

  it("pages items by index range and by state, and groups failures by reason", async () => {
    await newBatch("g", 10);
    const shard = await settle("g", 6, 3);
    const tiles = await dashboardQueries.itemsByIndex(db, "g", { fromIndex: 2, limit: 3 });
    expect(tiles).toMatchObject([
      { index: 2, seed: 102, state: "done", hasImage: true, prompt: "prompt 2" },
      { index: 3, state: "failed", hasImage: false, error: "out of memory on item 1" },
      { index: 4, state: "failed", error: "out of memory on item 0" },
    ]);
    const failed = await dashboardQueries.itemsByState(db, "g", { states: ["failed"], limit: 2 });
    expect(failed.map((t) => t.index)).toEqual([3, 4]);
    const rest = await dashboardQueries.itemsByState(db, "g", { states: ["failed"], limit: 2, afterItemId: failed[1]!.itemId });
    expect(rest.map((t) => t.index)).toEqual([5]);
    const pending = await dashboardQueries.itemsByState(db, "g", { states: ["queued", "leased"], limit: 10 });
    expect(pending.map((t) => t.index)).toEqual([6, 7, 8, 9]);

    expect(await dashboardQueries.failureReasons(db, "g", 10)).toEqual([
      { error: "out of memory on item 1", count: 2, firstIndex: 3 },
      { error: "out of memory on item 0", count: 1, firstIndex: 4 },
    ]);
    const page = await dashboardQueries.failedItems(db, "g", { limit: 2 });
    expect(page.map((f) => [f.index, f.attempts])).toEqual([[3, 1], [4, 1]]);
    expect(await dashboardQueries.failedItems(db, "g", { limit: 2, afterItemId: page[1]!.itemId })).toHaveLength(1);

    const detail = await dashboardQueries.item(db, tiles[0]!.itemId);
    expect(detail).toMatchObject({ index: 2, seed: 102, tenantId: "studio", output: { key: "studio/g/2", agentId: "agent-a", renderMs: 5 } });
    expect(await dashboardQueries.item(db, "not-a-number")).toBeUndefined();

    const [recent] = await dashboardQueries.recentShards(db, "agent-a", 1);
    expect(recent).toMatchObject({ shardId: shard.shardId, batchId: "g", batchName: "batch g", items: 6, done: 3, state: "leased" });
    expect((await dashboardQueries.liveShards(db)).map((s) => s.shardId)).toContain(shard.shardId);
  });

  it("re-runs failed items in one statement: attempts reset, counters and state fixed", async () => {
    await newBatch("r", 4, 1);
    const shard = await settle("r", 4, 1, "boom");
    await leaseStore.finish(db, shard.shardId, shard.epoch, "agent-a");
    expect(await batchStore.finishIfSettled(db, "r")).toBe("completed");

    const outcome = await batchRerun.requeueFailed(db, "r");
    expect(outcome).toMatchObject({ rerun: true, requeued: 3, counts: { state: "queued", done: 1, failed: 0, total: 4 } });
    const rows = await db.query<{ state: string; attempts: number; error: string | null }>(
      `SELECT state, attempts, last_error AS error FROM item WHERE batch_id = 'r' ORDER BY index`,
    );
    expect(rows).toEqual([
      { state: "done", attempts: 0, error: null },
      ...Array(3).fill({ state: "queued", attempts: 0, error: null }),
    ]);
    const [batch] = await db.query<{ finishedAt: Date | null }>(`SELECT finished_at AS "finishedAt" FROM batch WHERE id = 'r'`);
    expect(batch!.finishedAt).toBeNull();
    // The requeued items are leasable again at once.
    expect((await leaseStore.lease(db, "r", { ...capabilities, agentId: "agent-a", shardId: "r-again", maxItems: 10, leaseTtlMs: 30_000 }))?.items).toHaveLength(3);

    expect(await batchRerun.requeueFailed(db, "r")).toMatchObject({ rerun: true, requeued: 0, counts: { state: "running" } });
    await batchStore.cancel(db, "r");
    expect(await batchRerun.requeueFailed(db, "r")).toEqual({ rerun: false, state: "cancelled" });
    expect(await batchRerun.requeueFailed(db, "missing")).toEqual({ rerun: false, state: undefined });
  });

  it("totals the farm", async () => {
    const totals = await dashboardQueries.farmTotals(db);
    expect(totals).toMatchObject({ agents: 1, agentsOnline: 1, slots: 2 });
    expect(totals.imagesDone).toBe(4);
    expect(totals.liveLeases).toBeGreaterThan(0);
    expect((await dashboardQueries.agentImageCounts(db)).get("agent-a")).toBe(4);
  });

  it("pages items by a minimum CLIP score and bins a batch's scores, rejected attempts apart", async () => {
    await newBatch("c", 5);
    await settle("c", 5, 5);
    expect(await dashboardQueries.scoreHistogram(db, "c", 4)).toEqual([]);
    await db.query(`UPDATE output SET clip_score = 0.1 + (SELECT index FROM item WHERE id = output.item_id) * 0.05 WHERE batch_id = 'c'`);
    // Index 1's image fell below a gate: a rejected attempt, not its shown image.
    await db.query(`UPDATE output SET accepted = false WHERE batch_id = 'c' AND item_id = (SELECT id FROM item WHERE batch_id = 'c' AND index = 1)`);
    const first = await dashboardQueries.itemsByMinScore(db, "c", { minScore: 0.15, limit: 2 });
    expect(first.items.map((t) => [t.index, t.clipScore])).toEqual([[2, 0.2], [3, 0.25]]);
    const rest = await dashboardQueries.itemsByMinScore(db, "c", { minScore: 0.15, limit: 2, afterOutputId: first.next! });
    expect(rest).toEqual({ items: [expect.objectContaining({ index: 4, clipScore: 0.3, hasImage: true })], next: null });
    expect((await dashboardQueries.itemsByIndex(db, "c", { fromIndex: 0, limit: 2 })).map((t) => [t.hasImage, t.clipScore])).toEqual([[true, 0.1], [false, null]]);
    // 0.10 .. 0.30 in 3 bins; the highest score falls in the last bin.
    const bins = await dashboardQueries.scoreHistogram(db, "c", 3);
    expect(bins.map((b) => [b.accepted, b.rejected])).toEqual([[1, 1], [1, 0], [2, 0]]);
    expect(bins.map((b) => [b.from, b.to].map((x) => x.toFixed(4)))).toEqual([["0.1000", "0.1667"], ["0.1667", "0.2333"], ["0.2333", "0.3000"]]);
    await db.query(`UPDATE output SET clip_score = 0.2 WHERE batch_id = 'c'`);
    expect(await dashboardQueries.scoreHistogram(db, "c", 4)).toEqual([{ from: 0.2, to: 0.2, accepted: 4, rejected: 1 }]);
  });
});
