// Benchmark: the coordinator's peak resident memory with 1,000,000 queued
// items and 100 connected agents. The coordinator runs as its own process
// (`atelier up`, as an operator runs it); the items are submitted through
// the SDK, so the peak includes receiving them; then 100 agents (the real
// Agent class, one slot each) connect, take a shard, render slowly and
// heartbeat while the coordinator's memory is sampled. Peak = VmHWM.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent } from "@atelier/agent";
import { localAdmin } from "@atelier/coordinator";
import { createTestDatabase } from "@atelier/db/testing";
import { AtelierClient } from "@atelier/sdk";
import { promptAt } from "../support/prompt-files.ts";
import { benchLogger, note, numericFlags, printResult, round } from "./support/bench-report.ts";
import { servicesEnv, startCoordinatorProcess } from "./support/coordinator-process.ts";
import { residentMemoryMb } from "../support/memory-usage.ts";
import { startS3Child } from "./support/s3-child.ts";
import { SlowRenderer } from "../support/slow-renderer.ts";

const GOAL_PEAK_MB = 200; // issue 11
const MODEL = "bench-model";

// --max-old-space-mb N and --max-semi-space-mb N start the coordinator with node's --max-old-space-size=N
// and --max-semi-space-size=N (0: node's default).
const flags = numericFlags({ items: 1_000_000, agents: 100, holdSeconds: 30, renderMs: 60_000, maxOldSpaceMb: 0, maxSemiSpaceMb: 0 });
const nodeOptions = [
  ...(flags.maxOldSpaceMb > 0 ? [`--max-old-space-size=${flags.maxOldSpaceMb}`] : []),
  ...(flags.maxSemiSpaceMb > 0 ? [`--max-semi-space-size=${flags.maxSemiSpaceMb}`] : []),
].join(" ");
const log = benchLogger("memory");
const database = await createTestDatabase();
const s3 = await startS3Child();
const agents: Agent[] = [];
let coordinator: Awaited<ReturnType<typeof startCoordinatorProcess>> | undefined;
let client: AtelierClient | undefined;

try {
  note("starting the coordinator");
  coordinator = await startCoordinatorProcess({
    ...(await servicesEnv(database, s3)),
    // Heartbeats every second, so that the hold sees many rounds of them.
    ATELIER_HEARTBEAT_MS: "1000",
    ATELIER_LEASE_TTL_MS: "5000",
    ATELIER_SWEEP_MS: "1000",
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
  });
  const pid = coordinator.pid;
  const idle = residentMemoryMb(pid);
  let samples = 0;
  let rssSumMb = 0;
  const sampler = setInterval(() => {
    rssSumMb += residentMemoryMb(pid).rssMb;
    samples++;
  }, 250);

  const admin = localAdmin(database.db);
  client = new AtelierClient(coordinator.address, { token: (await admin.createToken({ tenant: "bench", role: "user", name: "bench" })).token });
  note(`submitting ${flags.items} prompts`);
  const submitStarted = performance.now();
  const { batchId } = await client.submitBatch(
    { tenant: "bench", name: "memory", priority: 0, baseSeed: 3, defaults: { model: MODEL, width: 512, height: 512, steps: 20, guidance: 7.5, sampler: "euler" } },
    prompts(flags.items),
  );
  const submitSeconds = (performance.now() - submitStarted) / 1000;
  const afterSubmit = residentMemoryMb(pid);

  note(`connecting ${flags.agents} agents and holding for ${flags.holdSeconds} s`);
  for (let a = 0; a < flags.agents; a++) {
    const agent = new Agent({
      coordinator: coordinator.address, security: { token: (await admin.enrollAgent(`mem-agent-${a}`, "bench")).credential }, id: `mem-agent-${a}`, name: `mem-agent-${a}`,
      renderers: [new SlowRenderer(flags.renderMs)], models: [MODEL], providers: ["cpu"], gpu: "none",
      memoryBytes: 0, maxWidth: 1024, maxHeight: 1024, version: "bench", log,
    });
    agents.push(agent);
    await agent.start();
  }
  await sleep(flags.holdSeconds * 1000);
  clearInterval(sampler);
  const end = residentMemoryMb(pid);
  note("held; checking the queue");

  const [state] = await database.db.query<{ queued: number; leased: number; liveShards: number; agentsOnline: number }>(
    `SELECT (SELECT count(*)::int FROM item WHERE batch_id = $1 AND state = 'queued') AS queued,
            (SELECT count(*)::int FROM item WHERE batch_id = $1 AND state = 'leased') AS leased,
            (SELECT count(*)::int FROM shard WHERE batch_id = $1 AND state = 'leased') AS "liveShards",
            (SELECT count(*)::int FROM agent WHERE status = 'online') AS "agentsOnline"`,
    [batchId],
  );
  const valid = state!.queued + state!.leased === flags.items && state!.liveShards === flags.agents && state!.agentsOnline === flags.agents;
  printResult({
    bench: "memory",
    items: flags.items,
    agents: flags.agents,
    holdSeconds: flags.holdSeconds,
    maxOldSpaceMb: flags.maxOldSpaceMb || "node default",
    maxSemiSpaceMb: flags.maxSemiSpaceMb || "node default",
    submitSeconds: round(submitSeconds, 1),
    peakRssMb: round(end.peakMb, 1),
    goalPeakMb: GOAL_PEAK_MB,
    goalMet: valid && end.peakMb <= GOAL_PEAK_MB,
    rssMb: { idle: round(idle.rssMb, 1), afterSubmit: round(afterSubmit.rssMb, 1), peakAfterSubmit: round(afterSubmit.peakMb, 1),
             end: round(end.rssMb, 1), meanWhileSampled: round(rssSumMb / Math.max(1, samples), 1) },
    queue: state,
    valid,
  });
  if (!valid) process.exitCode = 1;
} finally {
  note("cleaning up");
  client?.close();
  await Promise.all(agents.map((agent) => agent.close()));
  note("agents closed");
  await coordinator?.stop();
  note("coordinator stopped");
  await s3.close();
  await database.drop();
  note("done");
}

function* prompts(total: number) {
  for (let index = 0; index < total; index++) {
    yield { prompt: `${promptAt(index)}, variation ${index}`, negativePrompt: "", seed: 0, hasSeed: false, count: 1, source: "" };
  }
}
