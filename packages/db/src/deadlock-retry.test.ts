import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "./testing.ts";

// A batch's cancel (every unfinished item, in the index's order) met the results of its last shards
// (a few items, in their own order) in a lock cycle, and Postgres aborted the cancel: CancelBatch
// answered INTERNAL. Here the same cycle, built on purpose: the statement made through `query` must
// be the victim, and must be run again.
describe("a statement that Postgres aborts to break a deadlock", () => {
  let test: TestDatabase;
  let holder: pg.Client;
  beforeAll(async () => {
    test = await createTestDatabase();
    await test.db.query(`CREATE TABLE cell (id int PRIMARY KEY, v int NOT NULL)`);
    await test.db.query(`INSERT INTO cell VALUES (1, 0), (2, 0)`);
    holder = new pg.Client({ connectionString: test.url });
    await holder.connect();
    // Postgres aborts the waiter whose deadlock check runs first: the statement under test, not this session.
    await holder.query(`SET deadlock_timeout = '60s'`);
  });
  afterAll(async () => {
    await holder?.end();
    await test?.drop();
  });

  it("is run again, and both transactions' changes stand", async () => {
    await holder.query(`BEGIN`);
    await holder.query(`UPDATE cell SET v = v + 10 WHERE id = 1`);
    // Locks row 2 (the CTE runs first: the update below reads it), then waits for row 1.
    const statement = test.db.query(
      `WITH second AS (UPDATE cell SET v = v + 1 WHERE id = 2 RETURNING id)
       UPDATE cell SET v = v + 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM second) RETURNING id`,
    ).catch((error: unknown) => error);
    await vi.waitFor(async () => {
      const { rows } = await holder.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      expect(rows[0].n).toBeGreaterThan(0);
    }, { timeout: 30_000, interval: 20 });
    // Closes the cycle: this waits for row 2 until Postgres aborts the statement, then goes on.
    await holder.query(`UPDATE cell SET v = v + 100 WHERE id = 2`);
    await holder.query(`COMMIT`);

    expect(await statement).toEqual([{ id: 1 }]);
    expect(await test.db.query(`SELECT id, v FROM cell ORDER BY id`)).toEqual([{ id: 1, v: 11 }, { id: 2, v: 101 }]);
  });
});
