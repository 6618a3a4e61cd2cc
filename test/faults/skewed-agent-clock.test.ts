import { systemClock, type Clock } from "@atelier/agent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { startInProcessAgent, type InProcessAgent } from "../support/in-process-agent.ts";
import { promptSpecs } from "../support/prompt-files.ts";

const ITEMS = 320;
const TEN_MINUTES_MS = 10 * 60_000;
const SKEWS: Record<string, number> = { "agent-ahead": TEN_MINUTES_MS, "agent-behind": -TEN_MINUTES_MS };

// docs/reliability.md, scenario 13. The agents run in this process, each on a
// clock of its own (the agent reads time only through the clock it is given);
// the coordinator and Postgres keep the host's.
describe("agents whose wall clocks are 10 minutes off, one ahead and one behind", () => {
  let farm: FarmFixture;
  const agents = new Map<string, InProcessAgent>();
  const monotonicReads = new Map<string, number>();
  /** The host's clock with its wall time `offsetMs` off, counting the agent's reads of its monotonic time. */
  const skewedClock = (name: string, offsetMs: number): Clock => ({
    wallMs: () => systemClock.wallMs() + offsetMs,
    monotonicMs: () => (monotonicReads.set(name, (monotonicReads.get(name) ?? 0) + 1), systemClock.monotonicMs()),
  });
  let startedAt = 0;
  beforeAll(async () => {
    startedAt = Date.now();
    // Shards of up to 8 s at the agent's measured rate: longer than the lease, so that it must be renewed.
    // No speculative copies: every item is to be rendered by the holder of its one lease.
    farm = await startFarm({ coordinatorEnv: { ATELIER_MAX_SHARD_ITEMS: "500", ATELIER_SHARD_TARGET_MS: "8000", ATELIER_SPECULATE_AFTER_MS: "0" } });
    for (const [name, offsetMs] of Object.entries(SKEWS)) {
      agents.set(name, await startInProcessAgent({ coordinator: farm.coordinatorAddress, credential: await farm.enroll(name), name, modelsDir: farm.modelsDir, clock: skewedClock(name, offsetMs) }));
    }
  });
  afterAll(async () => {
    await Promise.all([...agents.values()].map((agent) => agent.close()));
    await farm?.close();
  });

  it("keep every lease to its end: leases are judged by the database clock and the agents' monotonic clocks", async () => {
    const { db } = farm.database;
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "skew", priority: 0, baseSeed: 0, defaults: { model: "atelier-demo", width: 512, height: 512, steps: 30, guidance: 7.5, sampler: "euler" } },
      promptSpecs(ITEMS),
    );
    const last = await finalProgress(farm.client, batchId);
    expect(last).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: ITEMS, failed: 0 });
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(ITEMS));

    for (const [name, offsetMs] of Object.entries(SKEWS)) {
      const log = agents.get(name)!.output();
      // The skew was real: the agent's log lines are stamped 10 minutes off.
      const stamps = log.split("\n").filter((line) => line.startsWith("{")).map((line) => (JSON.parse(line) as { time: number }).time);
      expect(stamps.length).toBeGreaterThan(0);
      for (const stamp of stamps) {
        expect(stamp).toBeGreaterThanOrEqual(startedAt + offsetMs - 1_000);
        expect(stamp).toBeLessThanOrEqual(Date.now() + offsetMs + 1_000);
      }
      expect(log).not.toMatch(/self-fenced|leases lost|result refused/);
      // And the agent timed its leases on the clock it was given (lint keeps Date out of the agent package).
      expect(monotonicReads.get(name)).toBeGreaterThan(100);
    }

    // Shards outlived the 2 s TTL: their leases were renewed by agents whose clocks disagree with the database's.
    const [{ longestMs }] = (await db.query<{ longestMs: number }>(
      `SELECT max(extract(epoch FROM ended_at - leased_at) * 1000)::int AS "longestMs" FROM shard WHERE batch_id = $1`, [batchId])) as [{ longestMs: number }];
    expect(longestMs).toBeGreaterThan(2_000 + 500);
    // Nothing was re-leased: every shard ended done, no item lost a lease or spent an attempt,
    // and each output came from the agent holding its shard under that shard's epoch.
    const [leases] = await db.query<{ notDone: number; lost: number; attempts: number; foreign: number; agents: number }>(
      `SELECT (SELECT count(*)::int FROM shard WHERE batch_id = $1 AND state <> 'done') AS "notDone",
              (SELECT sum(lost_leases)::int FROM item WHERE batch_id = $1) AS lost,
              (SELECT sum(attempts)::int FROM item WHERE batch_id = $1) AS attempts,
              (SELECT count(*)::int FROM output o LEFT JOIN shard s ON s.epoch = o.epoch AND s.agent_id = o.agent_id
               WHERE o.batch_id = $1 AND s.id IS NULL) AS foreign,
              (SELECT count(DISTINCT agent_id)::int FROM output WHERE batch_id = $1) AS agents`,
      [batchId],
    );
    expect(leases).toEqual({ notDone: 0, lost: 0, attempts: 0, foreign: 0, agents: 2 });
  }, 240_000);
});
