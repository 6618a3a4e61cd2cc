import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../open-database.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { batchStore } from "./batch-store.ts";
import { exportJobStore } from "./export-job-store.ts";

const settings = { model: "m", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" };
const SILENCE_MS = 15_000;

describe("exportJobStore", () => {
  let test: TestDatabase;
  let db: Database;
  let other: Database;
  beforeAll(async () => {
    test = await createTestDatabase();
    db = test.db;
    // A second coordinator's own pool on the same database.
    other = await openDatabase({ url: test.url });
    await batchStore.begin(db, { id: "b", tenantId: "studio", name: "b", priority: 0, defaults: settings, maxAttempts: 5 });
  });
  afterAll(async () => {
    await other?.close();
    await test.drop();
  });

  const create = (id: string) => exportJobStore.create(db, { id, batchId: "b", tenantId: "studio", request: { format: "both" }, prefix: `studio/b/exports/${id}/`, startedBy: "t", ownerId: "first", total: 10 });
  // What a coordinator that died leaves: its heartbeat an hour old.
  const silence = (id: string) => db.query(`UPDATE export_job SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [id]);

  it("reads a running job whose heartbeat went silent as interrupted, and lets one claim of two racing take it over", async () => {
    await create("j1");
    expect((await exportJobStore.get(db, "b", "j1", SILENCE_MS))?.state).toBe("running");
    // Nobody takes over a job that is alive.
    expect(await exportJobStore.claim(db, { batchId: "b", id: "j1", ownerId: "second", silenceMs: SILENCE_MS })).toBeUndefined();
    await silence("j1");
    expect((await exportJobStore.get(db, "b", "j1", SILENCE_MS))?.state).toBe("interrupted");

    const claims = await Promise.all(["second", "third"].map((ownerId, n) => exportJobStore.claim(n === 0 ? db : other, { batchId: "b", id: "j1", ownerId, silenceMs: SILENCE_MS })));
    const won = claims.filter((row) => row !== undefined);
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ state: "running", epoch: 2 });
    expect(await db.query(`SELECT owner_id AS "ownerId", epoch FROM export_job WHERE id = 'j1'`)).toEqual([{ ownerId: won[0]!.ownerId, epoch: 2 }]);
  });

  it("refuses the writes of a run that no longer holds the job", async () => {
    await create("j2");
    await silence("j2");
    const taken = await exportJobStore.claim(db, { batchId: "b", id: "j2", ownerId: "second", silenceMs: SILENCE_MS });
    expect(taken?.epoch).toBe(2);
    // The first run comes back from its stall: its heartbeat and its end change nothing.
    expect(await exportJobStore.beat(db, { id: "j2", epoch: 1, samples: 9, shards: 9 })).toBe(false);
    expect(await exportJobStore.finish(db, { id: "j2", epoch: 1, samples: 9, shards: 9, total: 9, state: "failed", error: "late" })).toBe(false);
    expect(await exportJobStore.beat(db, { id: "j2", epoch: 2, samples: 4, shards: 2 })).toBe(true);
    expect(await exportJobStore.finish(db, { id: "j2", epoch: 2, samples: 10, shards: 5, total: 10, state: "complete", error: "" })).toBe(true);
    const done = await exportJobStore.get(db, "b", "j2", SILENCE_MS);
    expect(done).toMatchObject({ state: "complete", samples: 10, shards: 5, error: "", ownerId: "second" });
    expect(done?.finishedAtMs).toBeGreaterThan(0);
    // A complete job is never taken over, nor written by its own run again.
    expect(await exportJobStore.claim(db, { batchId: "b", id: "j2", ownerId: "third", silenceMs: 0 })).toBeUndefined();
    expect(await exportJobStore.beat(db, { id: "j2", epoch: 2, samples: 0, shards: 0 })).toBe(false);
  });
});
