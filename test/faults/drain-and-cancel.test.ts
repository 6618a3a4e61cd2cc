import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPreStopArgs, sigtermPending } from "../support/agent-prestop.ts";
import { startAtelier, waitFor } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { waitForMidShard } from "../support/mid-shard.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";

const settings = { model: "atelier-demo", width: 128, height: 128, steps: 12, guidance: 7.5, sampler: "euler" };
const items = (n: number) => promptSpecs(n);

// docs/reliability.md, scenario 7.
describe("drain, graceful stop and cancel", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    // Leases outlive the first test's pause of an agent (below).
    farm = await startFarm({ coordinatorEnv: { ATELIER_MAX_SHARD_ITEMS: "8", ATELIER_SHARD_TARGET_MS: "3000", ATELIER_LEASE_TTL_MS: "30000" } });
    await Promise.all(["agent-1", "agent-2", "agent-3"].map((name) => farm.startAgent(name)));
  });
  afterAll(() => farm?.close());

  const submit = (name: string, n: number) =>
    farm.client.submitBatch({ tenant: "studio", name, priority: 0, baseSeed: 0, defaults: settings }, items(n));
  const finish = async (batchId: string) => {
    const last = await finalProgress(farm.client, batchId);
    return last!;
  };

  it("the pod's preStop drain (SIGTERM) hands the shard back: its unfinished items requeue at no attempt cost and the batch completes exactly", async () => {
    const { db } = farm.database;
    const { batchId } = await submit("sigterm", 150);
    const shard = await waitForMidShard(db, batchId, { agent: "agent-3", minOpen: 2 });
    const agent = farm.agents.get("agent-3")!;
    const pid = agent.child.pid!;
    // The command deploy/kubernetes runs as the agent's preStop hook, aimed at this agent's process.
    // It takes seconds to start on a loaded machine, longer than this shard lasts: the agent waits,
    // stopped, until the command's SIGTERM is pending, so that it lands mid-shard.
    process.kill(pid, "SIGSTOP");
    const drain = startAtelier(agentPreStopArgs(pid));
    await waitFor("the preStop command's SIGTERM to reach the stopped agent", async () => sigtermPending(pid), 60_000, 20);
    process.kill(pid, "SIGCONT");
    expect(await drain.exited).toBe(0);
    expect(drain.output()).toMatch(/drained and exited/);
    expect(await agent.exited).toBe(0);

    // The agent waits a bounded time (agent.ts, HANG_UP_WAIT_MS) for the coordinator to end the stream after
    // its release; on a loaded machine the coordinator's write can land just after the agent has exited.
    // Well inside the 30 s lease, a shard that is not released by then was not handed back.
    const settled = await waitFor("the shard to leave 'leased'", async () => {
      const [row] = await db.query<{ state: string }>(`SELECT state FROM shard WHERE id = $1`, [shard.shardId]);
      return row!.state !== "leased" && row!.state;
    }, 10_000, 20);
    expect(settled).toBe("released");
    expect(await finish(batchId)).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: 150 });
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(150));
    const charged = await db.query(`SELECT id FROM item WHERE batch_id = $1 AND attempts > 0`, [batchId]);
    expect(charged).toEqual([]);
  }, 180_000);

  it("a drained agent takes no more work; undrained, it does again", async () => {
    const { db } = farm.database;
    await farm.client.drainAgent("agent-1", true);
    const agents = await farm.client.listAgents();
    expect(agents.find((a) => a.id === "agent-1")?.draining).toBe(true);
    const { batchId } = await submit("drained", 40);
    expect(await finish(batchId)).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: 40 });
    const byAgent = await db.query<{ agent: string }>(`SELECT DISTINCT agent_id AS agent FROM output WHERE batch_id = $1`, [batchId]);
    // agent-3 was stopped by the test above; agent-1 is drained.
    expect(byAgent.map((r) => r.agent)).toEqual(["agent-2"]);

    await farm.client.drainAgent("agent-1", false);
    const second = await submit("undrained", 60);
    await finish(second.batchId);
    const again = await db.query<{ agent: string }>(`SELECT DISTINCT agent_id AS agent FROM output WHERE batch_id = $1 ORDER BY 1`, [second.batchId]);
    expect(again.map((r) => r.agent)).toEqual(["agent-1", "agent-2"]);
  }, 180_000);

  it("cancel stops the batch: no output is recorded after it, nothing stays leased", async () => {
    const { db } = farm.database;
    const { batchId } = await submit("cancel", 2_000);
    await waitFor("some outputs", async () => {
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM output WHERE batch_id = $1`, [batchId]);
      return row!.n >= 5;
    }, 60_000, 20);
    const cancelled = await farm.client.cancelBatch(batchId);
    expect(cancelled.state).toBe("BATCH_STATE_CANCELLED");
    const doneAtCancel = Number(cancelled.done);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const state = await inspectBatch(db, farm.store, batchId);
    expect(state.outputs).toBe(doneAtCancel);
    expect(state.liveLeases).toBe(0);
    expect(state.stuckItems).toBe(0);
    expect(state.duplicateOutputs).toBe(0);
    expect(state.checksumMismatches).toEqual([]);
    const [counts] = await db.query<{ cancelled: number; done: number; total: number }>(`SELECT cancelled, done, total FROM batch WHERE id = $1`, [batchId]);
    expect(counts!.cancelled + counts!.done).toBe(counts!.total);
    // The agents are free again: a new batch runs at once.
    const next = await submit("after-cancel", 10);
    expect(await finish(next.batchId)).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: 10 });
  }, 180_000);
});
