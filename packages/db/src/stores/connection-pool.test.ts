import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseBusyError, openDatabase, type Database } from "../open-database.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";

// Scenario 10 of docs/reliability.md at the pool: with every connection held by
// slow work, a call fails fast with DatabaseBusyError, while lease renewals
// still get through on connections of their own.
describe("an exhausted connection pool", () => {
  let test: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    test = await createTestDatabase();
    db = await openDatabase({ url: test.url, poolSize: 2, acquireTimeoutMs: 300 });
  });
  afterAll(async () => {
    await db.close();
    await test.drop();
  });

  it("fails a call fast with DatabaseBusyError; renewals still answer; the pool recovers", async () => {
    const slow = [db.query(`SELECT pg_sleep(2)`), db.query(`SELECT pg_sleep(2)`)];
    await new Promise((resolve) => setTimeout(resolve, 100)); // both connections taken
    const started = performance.now();
    const error = await db.query(`SELECT 1`).catch((e: unknown) => e);
    const waitedMs = performance.now() - started;
    expect(error).toBeInstanceOf(DatabaseBusyError);
    expect((error as Error).message).toBe("the database is busy: all 2 connections stayed in use for 300 ms");
    expect(waitedMs).toBeGreaterThanOrEqual(250);
    expect(waitedMs).toBeLessThan(1_500);
    expect(await db.queryUrgent<{ one: number }>(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    await Promise.all(slow);
    expect(await db.query<{ one: number }>(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
  });
});
