import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { batchStore } from "./batch-store.ts";

// item.batch_id is checked and cascaded by triggers, once per statement
// (migration 20261204000000), not by a foreign key's check per row: what the
// foreign key promised must still hold, for INSERT, COPY and DELETE alike.

const settings = { model: "m", width: 64, height: 64, steps: 4, guidance: 7, sampler: "euler" };
const items = (n: number) => Array.from({ length: n }, (_, index) => ({ ...settings, index, prompt: `p${index}`, negativePrompt: "", seed: index }));
const newBatch = (id: string) => ({ id, tenantId: "t", name: id, priority: 0, defaults: settings, maxAttempts: 3 });

describe("an item's batch", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  }, 60_000);
  afterAll(() => test?.drop());

  const itemsOf = async (batchId: string) =>
    (await test.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM item WHERE batch_id = $1`, [batchId]))[0]!.n;

  it("must exist: an INSERT or a COPY of items naming no batch is refused whole, and writes nothing", async () => {
    // batchStore.append without begin(): one INSERT for a few items, one COPY for many.
    await expect(batchStore.append(test.db, "nowhere", items(5))).rejects.toThrow(/names a batch that does not exist/);
    await batchStore.append(test.db, "nowhere-copied", items(3_000));
    await expect(batchStore.commit(test.db, "nowhere-copied", 3_000)).rejects.toThrow(/names a batch that does not exist/);
    expect(await itemsOf("nowhere")).toBe(0);
    expect(await itemsOf("nowhere-copied")).toBe(0);
  });

  it("cannot be changed to one that does not exist", async () => {
    await batchStore.begin(test.db, newBatch("b-moved"));
    await batchStore.append(test.db, "b-moved", items(3));
    await expect(test.db.query(`UPDATE item SET batch_id = 'elsewhere' WHERE batch_id = 'b-moved'`)).rejects.toThrow(/names a batch that does not exist/);
    expect(await itemsOf("b-moved")).toBe(3);
  });

  it("takes its items with it when it is deleted (an aborted submission)", async () => {
    await batchStore.begin(test.db, newBatch("b-aborted"));
    await batchStore.append(test.db, "b-aborted", items(10));
    expect(await itemsOf("b-aborted")).toBe(10);
    await batchStore.abort(test.db, "b-aborted");
    expect(await itemsOf("b-aborted")).toBe(0);
  });

  it("deleted while a COPY into it is still open, leaves none of its rows behind", async () => {
    await batchStore.begin(test.db, newBatch("b-raced"));
    // The COPY stays open (rows uncommitted) until commit.
    await batchStore.append(test.db, "b-raced", items(3_000));
    // Another coordinator's sweep of stale submissions removes the batch meanwhile.
    expect(await batchStore.abortStale(test.db, 0)).toBeGreaterThanOrEqual(1);
    await expect(batchStore.commit(test.db, "b-raced", 3_000)).rejects.toThrow(/names a batch that does not exist/);
    expect(await itemsOf("b-raced")).toBe(0);
  });

  it("whose rows are about to commit, is deleted only after them, together with them", async () => {
    await batchStore.begin(test.db, newBatch("b-locked"));
    const client = new pg.Client({ connectionString: test.url });
    await client.connect();
    try {
      await client.query("BEGIN");
      await client.query(`INSERT INTO item (batch_id, index, prompt, negative_prompt, seed, model, width, height, steps, guidance, sampler, options)
                          VALUES ('b-locked', 0, 'p', '', 1, 'm', 64, 64, 4, 7, 'euler', '{}')`);
      // The statement's check holds the batch's key-share lock until this transaction ends: the DELETE waits.
      const deleting = test.db.query(`DELETE FROM batch WHERE id = 'b-locked'`);
      await until(async () => (await test.db.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM batch%'`)).length > 0);
      await client.query("COMMIT");
      await deleting;
    } finally {
      await client.end();
    }
    expect(await itemsOf("b-locked")).toBe(0);
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
