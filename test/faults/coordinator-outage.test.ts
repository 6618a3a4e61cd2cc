import { Agent } from "@atelier/agent";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";
import { SlowRenderer } from "../support/slow-renderer.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";

// docs/reliability.md scenario 14, scaled to fit a test: a 12 s outage instead of
// 2 min, and a reconnect backoff of 200 ms doubling to 4 s instead of 1 s to
// 60 s (the same full jitter). Ten agents run in this process (the real Agent
// over real gRPC, a renderer that takes 100 ms and uses no CPU), so that many
// fit on a small machine; the coordinator is a real process, killed and
// started again on the same port.

const AGENTS = 10;
const ITEMS = 800;
const OUTAGE_MS = 12_000;
const RECONNECT = { baseMs: 200, maxMs: 4_000 };
const settings = { model: "bench-model", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" };

describe("the coordinator down for a while under many agents", () => {
  let farm: FarmFixture;
  const proxies: Awaited<ReturnType<typeof startTcpProxy>>[] = [];
  const agents: Agent[] = [];
  beforeAll(async () => {
    farm = await startFarm({ coordinatorEnv: { ATELIER_MAX_SHARD_ITEMS: "8" } });
    for (let i = 0; i < AGENTS; i++) {
      const id = `agent-${i}`;
      // Each agent reaches the coordinator through a proxy of its own (see the
      // outage below). Its own address also gives it a connection of its own,
      // as an agent on its own host has: grpc-js shares one connection among
      // the channels of a process that name the same address, and ten agents
      // on one would start their streams together whenever it came up.
      const proxy = await startTcpProxy("127.0.0.1", Number(farm.coordinatorAddress.split(":")[1]));
      proxies.push(proxy);
      const agent = new Agent({
        coordinator: `127.0.0.1:${proxy.port}`, security: { token: await farm.enroll(id) }, id, name: id, renderers: [new SlowRenderer(100)], models: [settings.model], providers: ["cpu"],
        gpu: "none", memoryBytes: 0, maxWidth: 512, maxHeight: 512, version: "test", log: pino({ level: "silent" }),
        reconnectBaseMs: RECONNECT.baseMs, reconnectMaxMs: RECONNECT.maxMs,
      });
      agents.push(agent);
      await agent.start();
    }
  });
  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await farm?.close();
  });

  it("sees its agents come back spread out by jitter, not as one herd, and the batch completes exactly", async () => {
    const { db } = farm.database;
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "outage", priority: 0, baseSeed: 0, defaults: settings },
      promptSpecs(ITEMS),
    );
    await waitFor("every agent to be rendering", async () => {
      const [row] = await db.query<{ n: number }>(`SELECT count(DISTINCT agent_id)::int AS n FROM shard WHERE batch_id = $1`, [batchId]);
      return row!.n === AGENTS;
    }, 30_000, 20);

    // Every agent loses its stream at the same instant.
    farm.coordinator.child.kill("SIGKILL");
    // Until the restarted coordinator answers its health check the proxies turn
    // connections away, as a dead coordinator does: the agents' reconnects
    // meet a coordinator that is up, so the times it logs are those the
    // jitter chose, not when a loaded machine let a coordinator still starting
    // get to hellos that had waited for it.
    for (const proxy of proxies) proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const restarted = await farm.restartCoordinator(0, { LOG_LEVEL: "info" });
    const healedAt = Date.now();
    for (const proxy of proxies) proxy.heal();
    const [{ restartedAt }] = (await db.query<{ restartedAt: Date }>(`SELECT now() AS "restartedAt"`)) as [{ restartedAt: Date }];
    await waitFor("every agent to reconnect", async () => {
      const connected = new Set<string>();
      for (const line of restarted.process.output().split("\n")) {
        if (line.includes('"agent connected"')) connected.add((JSON.parse(line) as { agentId: string }).agentId);
      }
      return connected.size === AGENTS;
    }, 30_000, 100);
    // When each agent dialled again, as its own proxy saw it: the times the jitter chose.
    // (The coordinator's "agent connected" lines are no measure of that: a coordinator just
    // started on a loaded machine answered six hellos that had waited for it within 250 ms.)
    const connectedAt = proxies.map((proxy) => proxy.passedAt().find((t) => t >= healedAt)!).sort((a, b) => a - b);

    // Full jitter over a ceiling of up to 4 s: the first reconnects of ten agents spread
    // over more than a second (1.2 to 2.1 s in six runs; 750 ms is the bound), and no quarter
    // second holds eight of them (a herd puts all ten in one). Each agent's first dial after
    // the heal is what is left of a wait drawn from 0 to 4 s, which favours short waits: in
    // 200,000 simulated runs of that, a quarter second held six or more in 0.54% of runs
    // (the bound was five, and a run beside a CPU burner saw six), eight or more in 0.002%.
    const spanMs = connectedAt.at(-1)! - connectedAt[0]!;
    const crowd = Math.max(...connectedAt.map((t) => connectedAt.filter((u) => u >= t && u < t + 250).length));
    console.log(JSON.stringify({ coordinatorOutage: { dialsAfterHealMs: connectedAt.map((t) => t - healedAt), crowd } }));
    expect(spanMs).toBeGreaterThan(750);
    expect(crowd).toBeLessThan(8);

    const last = await finalProgress(farm.clientFor(restarted.address), batchId);
    expect(last).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: ITEMS, failed: 0 });
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(ITEMS));
    // Every agent rendered again for the restarted coordinator.
    const [after] = await db.query<{ agents: number }>(
      `SELECT count(DISTINCT agent_id)::int AS agents FROM output WHERE batch_id = $1 AND created_at > $2`, [batchId, restartedAt]);
    expect(after!.agents).toBe(AGENTS);
  }, 120_000);
});
