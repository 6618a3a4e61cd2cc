import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../open-database.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { agentRegistry } from "./agent-registry.ts";
import { batchStore } from "./batch-store.ts";
import { leaseStore } from "./lease-store.ts";
import { resultStore } from "./result-store.ts";

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

/** `db` with every statement it runs recorded, newest last; `dry`: recorded only, each answered with no rows. */
function capturing(db: Database, options: { dry?: boolean } = {}): { db: Database; sent: { text: string; params: readonly unknown[] }[] } {
  const sent: { text: string; params: readonly unknown[] }[] = [];
  const proxy = new Proxy(db, {
    get: (target, key) => key === "query"
      ? (text: string, params: readonly unknown[] = []) => (sent.push({ text, params }), options.dry ? Promise.resolve([]) : target.query(text, params))
      : Reflect.get(target, key),
  }) as Database;
  return { db: proxy, sent };
}

type Statement = { text: string; params: readonly unknown[] };

/** How a statement read the item table when run again under EXPLAIN ANALYZE: its sequential scans and the rows it read. */
function itemReadsOf(plan: PlanNode): { seqScans: PlanNode[]; rowsRead: number } {
  const itemScans = nodesOf(plan).filter((node) => node["Relation Name"] === "item");
  return {
    seqScans: itemScans.filter((node) => node["Node Type"] === "Seq Scan"),
    rowsRead: itemScans.reduce((sum, node) => sum + (node["Actual Rows"] ?? 0) + (node["Rows Removed by Filter"] ?? 0), 0),
  };
}

/** The plan Postgres makes for the values given (what an unnamed statement gets). */
async function itemReads(db: Database, statement: Statement) {
  const explained = await db.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`, statement.params);
  return itemReadsOf(explained[0]!["QUERY PLAN"][0].Plan);
}

/**
 * The generic plan, made without the values: what a statement prepared by
 * name (`prepareAs`) may run with after five calls. EXPLAIN EXECUTE takes no
 * bound parameters, so the values go in as literals.
 */
async function genericItemReads(url: string, statement: Statement) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET plan_cache_mode = force_generic_plan");
    await client.query(`PREPARE probe AS ${statement.text}`);
    // Arrays as Postgres's array text ({"a","b"}); EXECUTE casts each literal to its parameter's type.
    const text = (value: unknown): string => Array.isArray(value)
      ? `{${value.map((element) => (element === null ? "NULL" : `"${String(element).replace(/["\\]/g, "\\$&")}"`)).join(",")}}`
      : String(value);
    const literal = (value: unknown) => (value === null || value === undefined ? "NULL" : client.escapeLiteral(text(value)));
    const { rows } = await client.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE probe(${statement.params.map(literal).join(", ")})`);
    // Postgres's own count of the plans it made for the statement: one, and generic.
    const { rows: [made] } = await client.query(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'probe'`);
    expect(made).toEqual({ generic_plans: "1", custom_plans: "0" });
    return itemReadsOf(rows[0]!["QUERY PLAN"][0].Plan);
  } finally {
    await client.end();
  }
}

/** A captured lease statement run again under both plans, each under a shard id of its own. */
async function readsUnderBothPlans(test: TestDatabase, statement: Statement, shardId: string) {
  const as = (id: string) => ({ text: statement.text, params: statement.params.map((p) => (p === shardId ? id : p)) });
  return [await itemReads(test.db, as(`${shardId}-custom`)), await genericItemReads(test.url, as(`${shardId}-generic`))];
}

/** A database of its own, with agent "a" registered and batch "b1" begun, empty. */
async function withAgentAndBatch(name: string): Promise<TestDatabase> {
  const test = await createTestDatabase();
  await agentRegistry.upsert(test.db, { id: "a", name: "a", gpu: "", memoryBytes: 1, providers: ["cpu"], models: ["m"], slots: 4, maxWidth: 512, maxHeight: 512, version: "t" });
  await batchStore.begin(test.db, { id: "b1", tenantId: "t", name, priority: 0, defaults: settings, maxAttempts: 3 });
  return test;
}

describe("the lease statement's plan", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await withAgentAndBatch("big");
    const { db } = test;
    for (let i = 0; i < ITEMS; i += 5_000) {
      await batchStore.append(db, "b1", Array.from({ length: 5_000 }, (_, k) => ({ ...settings, index: i + k, prompt: "p", negativePrompt: "", seed: i + k })));
    }
    await batchStore.commit(db, "b1", ITEMS);
    // Most of the batch finished since the statistics were taken (autovacuum has not come by):
    // the planner still counts those items as queued.
    await db.query(`UPDATE item SET state = 'done' WHERE index < $1`, [ITEMS * 0.9]);
  }, 120_000);
  afterAll(() => test?.drop());

  const leaseReadsUnderBothPlans = (statement: Statement, shardId: string) => readsUnderBothPlans(test, statement, shardId);

  it("reads the batch's queued items by index, whatever its size and however stale the statistics", async () => {
    // The statement leaseStore.lease sends, captured as it runs, then explained with shard ids of their own.
    const { db: recorded, sent } = capturing(test.db);
    const lease = await leaseStore.lease(recorded, "b1", { ...capabilities, agentId: "a", shardId: "s1", maxItems: 50, leaseTtlMs: 60_000 });
    expect(lease?.items.map((i) => i.index)).toEqual(Array.from({ length: 50 }, (_, k) => ITEMS * 0.9 + k));
    for (const { seqScans, rowsRead } of await leaseReadsUnderBothPlans(sent.at(-1)!, "s1")) {
      expect(seqScans).toEqual([]);
      expect(rowsRead).toBeLessThan(500);
    }
  }, 60_000);

  it("picks the batch with one probe of its queued items, not a scan from the start of the item table", async () => {
    // With statistics that count every item as queued, a LIMIT 1 probe looked cheap as a sequential
    // scan, which then read every finished item before the first queued one.
    const { db: recorded, sent } = capturing(test.db);
    expect(await leaseStore.pickBatch(recorded, capabilities)).toMatchObject({ id: "b1" });
    for (const reads of [await itemReads(test.db, sent.at(-1)!), await genericItemReads(test.url, sent.at(-1)!)]) {
      expect(reads.seqScans).toEqual([]);
      expect(reads.rowsRead).toBeLessThan(100);
    }
  }, 60_000);

  it("marks a large shard's items leased by primary key, not by a scan of the item table", async () => {
    // A shard of hundreds: joined to the picked ids, the planner hashed them against every item row.
    const { db: recorded, sent } = capturing(test.db);
    const lease = await leaseStore.lease(recorded, "b1", { ...capabilities, agentId: "a", shardId: "s3", maxItems: 500, leaseTtlMs: 60_000 });
    expect(lease?.items).toHaveLength(500);
    for (const { seqScans, rowsRead } of await leaseReadsUnderBothPlans(sent.at(-1)!, "s3")) {
      expect(seqScans).toEqual([]);
      expect(rowsRead).toBeLessThan(2_000);
    }
  }, 60_000);

  it("records outputs by primary key, not through the leased items of the batch, under its generic plan too", async () => {
    const lease = await leaseStore.lease(test.db, "b1", { ...capabilities, agentId: "a", shardId: "s5", maxItems: 60, leaseTtlMs: 60_000 });
    const outputs = lease!.items.map((item) => ({
      agentId: "a", itemId: item.itemId, epoch: lease!.epoch, key: `t/b1/${item.index}.png`, sha256: "0".repeat(64), bytes: 100,
      width: 64, height: 64, renderMs: 5, metadata: {},
    }));
    // The statement for twenty outputs at a time, as recordAllOutputs sends it (not run here: each plan below runs it).
    const statementFor = async (some: typeof outputs) => {
      const { db: dry, sent } = capturing(test.db, { dry: true });
      await resultStore.recordAllOutputs(dry, some);
      return sent[0]!;
    };
    for (const [reads, some] of [[itemReads.bind(null, test.db), outputs.slice(0, 20)], [genericItemReads.bind(null, test.url), outputs.slice(20, 40)]] as const) {
      const { seqScans, rowsRead } = await reads(await statementFor(some));
      expect(seqScans).toEqual([]);
      expect(rowsRead).toBeLessThan(200);
    }
    const [counted] = await test.db.query<{ done: number }>(`SELECT count(*)::int AS done FROM item WHERE shard_id = 's5' AND state = 'done'`);
    expect(counted?.done).toBe(40);
  }, 60_000);

  it("looks for a straggler to back up without reading every leased item of the farm", async () => {
    // Agent a holds the shards leased above (s3 and two more of 500 items each among them); a2 has nothing to do.
    await agentRegistry.upsert(test.db, { id: "a2", name: "a2", gpu: "", memoryBytes: 1, providers: ["cpu"], models: ["m"], slots: 4, maxWidth: 512, maxHeight: 512, version: "t" });
    const request = { ...capabilities, agentId: "a2", maxItems: 50, leaseTtlMs: 60_000 };
    // None of them is an hour old: nothing to back up, and nothing read to find that out.
    const { db: recorded, sent } = capturing(test.db);
    expect(await leaseStore.speculate(recorded, { ...request, shardId: "c1", minAgeMs: 3_600_000 })).toBeUndefined();
    for (const { seqScans, rowsRead } of await leaseReadsUnderBothPlans(sent.at(-1)!, "c1")) {
      expect(seqScans).toEqual([]);
      expect(rowsRead).toBeLessThan(50);
    }
    // Old enough: the shard with the most unfinished items, the first of 500 (s3), gives up the end of its tail.
    const tail = await test.db.query<{ index: number }>(`SELECT index FROM item WHERE shard_id = 's3' ORDER BY index DESC LIMIT 50`);
    const copy = await leaseStore.speculate(test.db, { ...request, shardId: "c2", minAgeMs: 0 });
    expect(copy?.items.map((item) => item.index)).toEqual(tail.map((row) => row.index).reverse());
  }, 60_000);

  it("settles a finished shard's items through the shard-id indexes, not by reading every leased item of the batch", async () => {
    // A batch of its own: a shard of 1,000 that stays leased, and three of 100, the first finished as the
    // coordinator finishes it (its statement captured), the other two by that statement run again under
    // EXPLAIN ANALYZE, one per plan. Nothing was reported.
    await batchStore.begin(test.db, { id: "b2", tenantId: "t", name: "settled", priority: 0, defaults: settings, maxAttempts: 3 });
    await batchStore.append(test.db, "b2", Array.from({ length: 1_300 }, (_, index) => ({ ...settings, index, prompt: "p", negativePrompt: "", seed: index })));
    await batchStore.commit(test.db, "b2", 1_300);
    await leaseStore.lease(test.db, "b2", { ...capabilities, agentId: "a", shardId: "stays", maxItems: 1_000, leaseTtlMs: 60_000 });
    const leases: { shardId: string; epoch: number }[] = [];
    for (const shardId of ["f1", "f2", "f3"]) leases.push((await leaseStore.lease(test.db, "b2", { ...capabilities, agentId: "a", shardId, maxItems: 100, leaseTtlMs: 60_000 }))!);
    const { db: recorded, sent } = capturing(test.db);
    await leaseStore.finish(recorded, "f1", leases[0]!.epoch, "a");
    const finishOf = (k: number) => ({ text: sent.at(-1)!.text, params: sent.at(-1)!.params.map((p, i) => (i === 0 ? leases[k]!.shardId : i === 1 ? leases[k]!.epoch : p)) });
    for (const { seqScans, rowsRead } of [await itemReads(test.db, finishOf(1)), await genericItemReads(test.url, finishOf(2))]) {
      expect(seqScans).toEqual([]);
      expect(rowsRead).toBeLessThan(500);
    }
    // Every item of the three shards went back to the queue, an attempt charged.
    const [requeued] = await test.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM item WHERE batch_id = 'b2' AND state = 'queued' AND attempts = 1`);
    expect(requeued!.n).toBe(300);
  }, 60_000);
});

describe("the lease statements' plans on the first batch, of a few thousand items", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await withAgentAndBatch("fresh");
    const { db } = test;
    // Under the size at which any commit analyzes the item table, but all of the table.
    await batchStore.append(db, "b1", Array.from({ length: 4_000 }, (_, index) => ({ ...settings, index, prompt: "p", negativePrompt: "", seed: index })));
    await batchStore.commit(db, "b1", 4_000);
    expect(await leaseStore.lease(db, "b1", { ...capabilities, agentId: "a", shardId: "first", maxItems: 100, leaseTtlMs: 60_000 })).toBeDefined();
  }, 60_000);
  afterAll(() => test?.drop());

  // Not by reading the batch's whole queued range (3,900 items) and sorting it, for one item or for a hundred.
  it("picks the batch and leases its next items by walking the index, not by sorting every queued item", async () => {
    const { db: recorded, sent } = capturing(test.db);
    expect(await leaseStore.pickBatch(recorded, capabilities)).toMatchObject({ id: "b1" });
    await leaseStore.lease(recorded, "b1", { ...capabilities, agentId: "a", shardId: "s1", maxItems: 100, leaseTtlMs: 60_000 });
    const [pick, lease] = sent.slice(-2) as [Statement, Statement];
    for (const reads of [await itemReads(test.db, pick), await genericItemReads(test.url, pick)]) {
      expect(reads.rowsRead).toBeLessThan(50);
    }
    for (const reads of await readsUnderBothPlans(test, lease, "s1")) {
      expect(reads.rowsRead).toBeLessThan(500);
    }
  }, 60_000);
});
