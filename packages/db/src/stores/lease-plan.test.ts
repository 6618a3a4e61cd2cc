import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../open-database.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { agentRegistry } from "./agent-registry.ts";
import { batchStore } from "./batch-store.ts";
import { leaseStore } from "./lease-store.ts";

// A lease must cost the same at the start of a large batch as near its end:
// the rows it reads may not grow with the batch. Judged on Postgres's own
// account of the plan it ran (EXPLAIN ANALYZE), not on a timing.

const ITEMS = 20_000;
const settings = { model: "m", width: 64, height: 64, steps: 4, guidance: 7, sampler: "euler" };
const capabilities = { models: ["m"], maxWidth: 512, maxHeight: 512 };

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Actual Rows"?: number;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

/** `db` with every statement it runs recorded, newest last. */
function capturing(db: Database): { db: Database; sent: { text: string; params: readonly unknown[] }[] } {
  const sent: { text: string; params: readonly unknown[] }[] = [];
  const proxy = new Proxy(db, {
    get: (target, key) => key === "query"
      ? (text: string, params: readonly unknown[] = []) => (sent.push({ text, params }), target.query(text, params))
      : Reflect.get(target, key),
  }) as Database;
  return { db: proxy, sent };
}

/** How a statement read the item table when run again under EXPLAIN ANALYZE: its sequential scans and the rows it read. */
async function itemReads(db: Database, statement: { text: string; params: readonly unknown[] }): Promise<{ seqScans: PlanNode[]; rowsRead: number }> {
  const explained = await db.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`, statement.params);
  const itemScans = nodesOf(explained[0]!["QUERY PLAN"][0].Plan).filter((node) => node["Relation Name"] === "item");
  return {
    seqScans: itemScans.filter((node) => node["Node Type"] === "Seq Scan"),
    rowsRead: itemScans.reduce((sum, node) => sum + (node["Actual Rows"] ?? 0) + (node["Rows Removed by Filter"] ?? 0), 0),
  };
}

describe("the lease statement's plan", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
    const { db } = test;
    await agentRegistry.upsert(db, { id: "a", name: "a", gpu: "", memoryBytes: 1, providers: ["cpu"], models: ["m"], slots: 4, maxWidth: 512, maxHeight: 512, version: "t" });
    await batchStore.begin(db, { id: "b1", tenantId: "t", name: "big", priority: 0, defaults: settings, maxAttempts: 3 });
    for (let i = 0; i < ITEMS; i += 5_000) {
      await batchStore.append(db, "b1", Array.from({ length: 5_000 }, (_, k) => ({ ...settings, index: i + k, prompt: "p", negativePrompt: "", seed: i + k })));
    }
    await batchStore.commit(db, "b1", ITEMS);
    // Most of the batch finished since the statistics were taken (autovacuum has not come by):
    // the planner still counts those items as queued.
    await db.query(`UPDATE item SET state = 'done' WHERE index < $1`, [ITEMS * 0.9]);
  }, 120_000);
  afterAll(() => test?.drop());

  it("reads the batch's queued items by index, whatever its size and however stale the statistics", async () => {
    // The statement leaseStore.lease sends, captured as it runs, then explained with a shard id of its own.
    const { db: recorded, sent } = capturing(test.db);
    const lease = await leaseStore.lease(recorded, "b1", { ...capabilities, agentId: "a", shardId: "s1", maxItems: 50, leaseTtlMs: 60_000 });
    expect(lease?.items.map((i) => i.index)).toEqual(Array.from({ length: 50 }, (_, k) => ITEMS * 0.9 + k));
    const { text, params } = sent.at(-1)!;
    const { seqScans, rowsRead } = await itemReads(test.db, { text, params: params.map((p) => (p === "s1" ? "s2" : p)) });
    expect(seqScans).toEqual([]);
    expect(rowsRead).toBeLessThan(500);
  }, 60_000);

  it("picks the batch with one probe of its queued items, not a scan from the start of the item table", async () => {
    // With statistics that count every item as queued, a LIMIT 1 probe looked cheap as a sequential
    // scan, which then read every finished item before the first queued one.
    const { db: recorded, sent } = capturing(test.db);
    expect(await leaseStore.pickBatch(recorded, capabilities)).toMatchObject({ id: "b1" });
    const { seqScans, rowsRead } = await itemReads(test.db, sent.at(-1)!);
    expect(seqScans).toEqual([]);
    expect(rowsRead).toBeLessThan(100);
  }, 60_000);

  it("marks a large shard's items leased by primary key, not by a scan of the item table", async () => {
    // A shard of hundreds: joined to the picked ids, the planner hashed them against every item row.
    const { db: recorded, sent } = capturing(test.db);
    const lease = await leaseStore.lease(recorded, "b1", { ...capabilities, agentId: "a", shardId: "s3", maxItems: 500, leaseTtlMs: 60_000 });
    expect(lease?.items).toHaveLength(500);
    const { text, params } = sent.at(-1)!;
    const { seqScans, rowsRead } = await itemReads(test.db, { text, params: params.map((p) => (p === "s3" ? "s4" : p)) });
    expect(seqScans).toEqual([]);
    expect(rowsRead).toBeLessThan(2_000);
  }, 60_000);
});
