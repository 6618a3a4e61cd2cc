import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../open-database.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import type { ClipCheckSettings } from "../domain.ts";
import { agentRegistry } from "./agent-registry.ts";
import { batchReport } from "./batch-report.ts";
import { batchStore } from "./batch-store.ts";
import { leaseStore } from "./lease-store.ts";
import { resultStore } from "./result-store.ts";

const settings = { model: "m", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" };
const capabilities = { models: ["m"], maxWidth: 512, maxHeight: 512 };
const hello = { name: "a", gpu: "", memoryBytes: 0, providers: ["cpu"], models: ["m"], slots: 1, maxWidth: 512, maxHeight: 512, version: "t" };

describe("the CLIP quality gate on recorded outputs", () => {
  let test: TestDatabase;
  let db: Database;
  let shard = 0;
  beforeAll(async () => {
    test = await createTestDatabase();
    db = test.db;
    await agentRegistry.upsert(db, { id: "a1", ...hello });
  });
  afterAll(() => test.drop());

  async function batch(id: string, n: number, clip: ClipCheckSettings) {
    await batchStore.begin(db, { id, tenantId: "studio", name: id, priority: 0, defaults: settings, maxAttempts: 5 });
    await batchStore.append(db, id, Array.from({ length: n }, (_, index) => ({ ...settings, clip, index, prompt: `p${index}`, negativePrompt: "", seed: 10 * index })));
    await batchStore.commit(db, id, n);
  }
  /** Leases what is queued and records one output per item with the given score. */
  async function round(batchId: string, score: (index: number) => number) {
    const lease = await leaseStore.lease(db, batchId, { ...capabilities, agentId: "a1", shardId: `s${shard++}`, maxItems: 16, leaseTtlMs: 30_000 });
    if (!lease) return [];
    const outputs = lease.items.map((item) => ({
      itemId: item.itemId, epoch: lease.epoch, key: `${batchId}/${item.index}-${item.seed}`, sha256: "x", bytes: 1, width: 64, height: 64, renderMs: 1, metadata: {},
      clipScore: score(item.index),
    }));
    const { outcomes } = await resultStore.recordOutputs(db, "a1", outputs);
    return lease.items.map((item, k) => ({ index: item.index, seed: item.seed, outcome: outcomes[k]! }));
  }
  const items = (batchId: string) => db.query<{ index: number; state: string; seed: string; rerolls: number }>(
    `SELECT index, state, seed::text AS seed, rerolls FROM item WHERE batch_id = $1 ORDER BY index`, [batchId]);
  const outputs = (batchId: string) => db.query<{ index: number; key: string; accepted: boolean; seed: string; clip_score: number }>(
    `SELECT i.index, o.key, o.accepted, o.seed::text AS seed, o.clip_score FROM output o JOIN item i ON i.id = o.item_id WHERE o.batch_id = $1 ORDER BY i.index, o.id`, [batchId]);

  it("keeps an image below the gate as a rejected attempt and queues the item again with the next seed, until max_rerolls", async () => {
    await batch("gate", 3, { score: true, minScore: 0.5, maxRerolls: 2 });
    // Item 0 passes at once, item 1 on its second try, item 2 never.
    const scores = [[0.9, 0.9, 0.9], [0.1, 0.6, 0.9], [0.1, 0.2, 0.3]];
    const first = await round("gate", (i) => scores[i]![0]!);
    expect(first.map((r) => r.outcome)).toEqual([{ accepted: true }, { accepted: true, gate: "rejected" }, { accepted: true, gate: "rejected" }]);
    expect(await batchStore.counts(db, "gate")).toMatchObject({ done: 1, total: 3 });
    const second = await round("gate", (i) => scores[i]![1]!);
    expect(second.map((r) => [r.index, r.seed])).toEqual([[1, 11], [2, 21]]);
    expect(second.map((r) => r.outcome)).toEqual([{ accepted: true }, { accepted: true, gate: "rejected" }]);
    const third = await round("gate", (i) => scores[i]![2]!);
    expect(third.map((r) => [r.index, r.seed, r.outcome])).toEqual([[2, 22, { accepted: true, gate: "exhausted" }]]);
    expect(await round("gate", () => 1)).toEqual([]);

    expect(await items("gate")).toEqual([
      { index: 0, state: "done", seed: "0", rerolls: 0 },
      { index: 1, state: "done", seed: "11", rerolls: 1 },
      { index: 2, state: "exhausted", seed: "22", rerolls: 2 },
    ]);
    expect(await outputs("gate")).toEqual([
      { index: 0, key: "gate/0-0", accepted: true, seed: "0", clip_score: 0.9 },
      { index: 1, key: "gate/1-10", accepted: false, seed: "10", clip_score: 0.1 },
      { index: 1, key: "gate/1-11", accepted: true, seed: "11", clip_score: 0.6 },
      { index: 2, key: "gate/2-20", accepted: false, seed: "20", clip_score: 0.1 },
      { index: 2, key: "gate/2-21", accepted: false, seed: "21", clip_score: 0.2 },
      { index: 2, key: "gate/2-22", accepted: false, seed: "22", clip_score: 0.3 },
    ]);
    // Exhausted items finish the batch: done counts accepted and exhausted items.
    expect(await batchStore.counts(db, "gate")).toMatchObject({ done: 3, total: 3, failed: 0 });
  });

  it("reports accepted, rejected and exhausted counts and the score deciles", async () => {
    const report = (await batchReport.of(db, "gate"))!;
    expect(report).toMatchObject({ items: 3, acceptedItems: 2, exhaustedItems: 1, outputs: 6, rejectedOutputs: 4, scoredOutputs: 6, fidelityChecked: 0, fidelityRate: 0 });
    expect(report.rejectedShare).toBeCloseTo(4 / 6, 12);
    // numpy 1.x: np.percentile([0.1, 0.1, 0.2, 0.3, 0.6, 0.9], range(0, 101, 10)), linear interpolation:
    const numpy = [0.1, 0.1, 0.1, 0.15, 0.2, 0.25, 0.3, 0.45, 0.6, 0.75, 0.9];
    report.scoreDeciles.forEach((value, i) => expect(value).toBeCloseTo(numpy[i]!, 12));
    expect(await batchReport.of(db, "no-such-batch")).toBeUndefined();
  });

  it("leaves an item without a gate alone whatever its score", async () => {
    await batch("plain", 1, { score: true });
    const [only] = await round("plain", () => -0.2);
    expect(only!.outcome).toEqual({ accepted: true });
    expect(await items("plain")).toEqual([{ index: 0, state: "done", seed: "0", rerolls: 0 }]);
    expect(await outputs("plain")).toEqual([{ index: 0, key: "plain/0-0", accepted: true, seed: "0", clip_score: -0.2 }]);
  });
});
