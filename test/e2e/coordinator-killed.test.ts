import type { AtelierClient } from "@atelier/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";

const ITEMS = 200;

describe("two coordinators on one database", () => {
  let farm: FarmFixture;
  let second: AtelierClient;
  beforeAll(async () => {
    farm = await startFarm({ coordinators: 2, coordinatorEnv: { ATELIER_MAX_SHARD_ITEMS: "4" } });
    const [a, b] = farm.coordinators.map((c) => c.address);
    // agent-1 and agent-2 start on A, agent-3 on B; each falls back to the other.
    await farm.startAgent("agent-1", {}, `${a},${b}`);
    await farm.startAgent("agent-2", {}, `${a},${b}`);
    await farm.startAgent("agent-3", {}, `${b},${a}`);
    second = farm.clientFor(b!);
  });
  afterAll(async () => {
    second?.close();
    await farm?.close();
  });

  it("share work announced on either, and finish the batch exactly when one is killed", async () => {
    const { db } = farm.database;
    // Submitted on B: A's agents hear of it through the outbox and NATS.
    const { batchId } = await second.submitBatch(
      { tenant: "studio", name: "failover", priority: 0, baseSeed: 0, defaults: { model: "atelier-demo", width: 128, height: 128, steps: 10, guidance: 7.5, sampler: "euler" } },
      promptSpecs(ITEMS),
    );
    await waitFor("agents of both coordinators to render", async () => {
      const rows = await db.query<{ n: number }>(`SELECT count(DISTINCT agent_id)::int AS n FROM output WHERE batch_id = $1`, [batchId]);
      return rows[0]!.n === 3;
    }, 60_000, 50);

    const [{ killedAt }] = (await db.query<{ killedAt: Date }>(`SELECT now() AS "killedAt"`)) as [{ killedAt: Date }];
    farm.coordinators[0]!.process.child.kill("SIGKILL");

    const last = await finalProgress(second, batchId);
    expect(last).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: ITEMS, failed: 0 });
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(ITEMS));

    // A's agents moved to B and kept rendering there.
    const agents = await second.listAgents();
    expect(agents.filter((a) => a.status === "online").map((a) => a.name).sort()).toEqual(["agent-1", "agent-2", "agent-3"]);
    const moved = await db.query<{ agent: string }>(
      `SELECT DISTINCT agent_id AS agent FROM output WHERE batch_id = $1 AND created_at > $2 AND agent_id IN ('agent-1', 'agent-2')`,
      [batchId, killedAt],
    );
    expect(moved.length).toBeGreaterThan(0);
  }, 240_000);
});
