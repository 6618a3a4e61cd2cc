import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../open-database.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { agentRegistry } from "./agent-registry.ts";
import { batchStore } from "./batch-store.ts";
import { exportStore, type ExportPageQuery } from "./export-store.ts";
import { leaseStore } from "./lease-store.ts";
import { resultStore } from "./result-store.ts";

const settings = { model: "m", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" };
const hello = { name: "a", gpu: "", memoryBytes: 0, providers: ["cpu"], models: ["m"], slots: 1, maxWidth: 512, maxHeight: 512, version: "t" };
// Per item, the score of each attempt: item 0 passes at once, item 1 on its second seed, item 2 never (gate 0.5, 2 re-rolls).
const SCORES = [[0.9], [0.1, 0.6], [0.1, 0.2, 0.3]];

describe("exportStore.page", () => {
  let test: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    test = await createTestDatabase();
    db = test.db;
    await agentRegistry.upsert(db, { id: "a1", ...hello });
    await batchStore.begin(db, { id: "b", tenantId: "studio", name: "b", priority: 0, defaults: settings, maxAttempts: 5 });
    await batchStore.append(db, "b", SCORES.map((_, index) => ({ ...settings, clip: { score: true, minScore: 0.5, maxRerolls: 2 }, index, prompt: `p${index}`, negativePrompt: "", seed: 10 * index })));
    await batchStore.commit(db, "b", SCORES.length);
    // The gate's own path: each round leases what is queued and records one attempt per item.
    for (let round = 0; round < 3; round++) {
      const lease = await leaseStore.lease(db, "b", { models: ["m"], maxWidth: 512, maxHeight: 512, agentId: "a1", shardId: `s${round}`, maxItems: 16, leaseTtlMs: 30_000 });
      if (!lease) break;
      await resultStore.recordOutputs(db, "a1", lease.items.map((item) => ({
        itemId: item.itemId, epoch: lease.epoch, key: `studio/b/${String(item.index).padStart(8, "0")}-${item.seed}.png`, sha256: "x", bytes: 1, width: 64, height: 64,
        renderMs: 1, metadata: {}, clipScore: SCORES[item.index]![round]!,
      })));
    }
  });
  afterAll(() => test.drop());

  const page = (query: Partial<ExportPageQuery>) => exportStore.page(db, { batchId: "b", after: null, includeRejected: false, minClipScore: null, limit: 100, ...query });
  const brief = (rows: Awaited<ReturnType<typeof page>>) => rows.map((r) => [r.index, r.seed, r.clipScore, r.accepted]);

  it("gives the accepted outputs by default, each with its attempt's seed, and every attempt when asked", async () => {
    expect(brief(await page({}))).toEqual([[0, 0, 0.9, true], [1, 11, 0.6, true]]);
    expect(brief(await page({ includeRejected: true }))).toEqual([
      [0, 0, 0.9, true], [1, 10, 0.1, false], [1, 11, 0.6, true], [2, 20, 0.1, false], [2, 21, 0.2, false], [2, 22, 0.3, false],
    ]);
    expect(brief(await page({ includeRejected: true, minClipScore: 0.25 }))).toEqual([[0, 0, 0.9, true], [1, 11, 0.6, true], [2, 22, 0.3, false]]);
  });

  it("leaves out a quarantined image, and exports it once an admin has released it", async () => {
    await db.query(`UPDATE output SET quarantined = true WHERE key = 'studio/b/00000001-11.png'`);
    expect(brief(await page({}))).toEqual([[0, 0, 0.9, true]]);
    expect(brief(await page({ includeRejected: true })).map(([index, seed]) => [index, seed])).toEqual([[0, 0], [1, 10], [2, 20], [2, 21], [2, 22]]);
    await db.query(`UPDATE output SET quarantined = false, moderation = 'released' WHERE key = 'studio/b/00000001-11.png'`);
    expect(brief(await page({}))).toEqual([[0, 0, 0.9, true], [1, 11, 0.6, true]]);
  });

  it("walks the batch page by page after a cursor of item index and object key", async () => {
    const all = await page({ includeRejected: true });
    const walked = [];
    let after: ExportPageQuery["after"] = null;
    for (;;) {
      const rows = await page({ includeRejected: true, after, limit: 2 });
      walked.push(...rows);
      if (rows.length < 2) break;
      after = { index: rows[1]!.index, key: rows[1]!.key };
    }
    expect(walked).toEqual(all);
    expect(all.map((r) => r.key)).toEqual(["studio/b/00000000-0.png", "studio/b/00000001-10.png", "studio/b/00000001-11.png", "studio/b/00000002-20.png", "studio/b/00000002-21.png", "studio/b/00000002-22.png"]);
  });
});
