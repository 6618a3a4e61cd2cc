import * as grpc from "@grpc/grpc-js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";

// Scenario 10 of docs/reliability.md: the coordinator's connection pool is
// exhausted (two connections, each holding an agent's results stuck behind a
// lock that a test session holds on the batch table for two lease TTLs). A client's call fails fast with
// UNAVAILABLE and a retry hint; leases keep being renewed on their own
// connections, so none expires; once the lock goes, the batch completes exactly.

const ITEMS = 120;
// Longer than the suite's 2 s: a renewal is made every heartbeat (300 ms), and on a loaded CI machine one
// stall of a couple of seconds let a lease expire here though renewals never waited on the pool.
const LEASE_TTL_MS = 5_000;
const HOLD_MS = 2 * LEASE_TTL_MS;

describe("a coordinator whose connection pool is exhausted", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    farm = await startFarm({ coordinatorEnv: { ATELIER_DB_POOL_SIZE: "2", ATELIER_DB_ACQUIRE_TIMEOUT_MS: "500", ATELIER_MAX_SHARD_ITEMS: "8", ATELIER_LEASE_TTL_MS: String(LEASE_TTL_MS) } });
    await Promise.all(["agent-1", "agent-2"].map((name) => farm.startAgent(name)));
  });
  afterAll(() => farm?.close());

  it("fails calls fast with a retry hint, loses no lease, and completes the batch exactly", async () => {
    const { db } = farm.database;
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "pool", priority: 0, baseSeed: 0, defaults: { model: "atelier-demo", width: 128, height: 128, steps: 12, guidance: 7.5, sampler: "euler" } },
      promptSpecs(ITEMS),
    );
    await waitFor("some images to be done", async () => (await farm.client.getBatch(batchId)).done >= 10, 60_000, 50);

    let patient: Promise<{ id: string }> | undefined;
    const locker = new pg.Client({ connectionString: farm.database.url });
    await locker.connect();
    try {
      await locker.query(`BEGIN`);
      await locker.query(`LOCK TABLE batch IN ACCESS EXCLUSIVE MODE`);
      const lockedAt = performance.now();
      // Each agent's next results hold a connection, waiting on the lock.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // Asked once, the coordinator answers at once: busy, come back in a second.
      const once = farm.clientFor(farm.coordinatorAddress, { attempts: 1 });
      const started = performance.now();
      const refused = await once.getBatch(batchId).then(() => undefined, (error: unknown) => error as grpc.ServiceError);
      once.close();
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(refused).toMatchObject({ code: grpc.status.UNAVAILABLE, details: "the database is busy: all 2 connections stayed in use for 500 ms; retry in 1 s" });
      expect(refused!.metadata.get("grpc-retry-pushback-ms")).toEqual(["1000"]);
      // The SDK's client takes the hint and keeps asking (enough times to outlast the hold): it is answered once the lock goes.
      const persistent = farm.clientFor(farm.coordinatorAddress, { attempts: 30 });
      patient = persistent.getBatch(batchId).finally(() => persistent.close());
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, HOLD_MS - (performance.now() - lockedAt))));
    } finally {
      await locker.query(`COMMIT`);
      await locker.end();
    }

    expect(await patient).toMatchObject({ id: batchId });
    const last = await finalProgress(farm.client, batchId);
    expect(last).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: ITEMS });
    const [leases] = await db.query<{ expired: number; lost: number }>(
      `SELECT (SELECT count(*)::int FROM shard WHERE batch_id = $1 AND state = 'expired') AS expired,
              (SELECT coalesce(sum(lost_leases), 0)::int FROM item WHERE batch_id = $1) AS lost`,
      [batchId],
    );
    expect(leases).toEqual({ expired: 0, lost: 0 });
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(ITEMS));
  }, 120_000);
});
