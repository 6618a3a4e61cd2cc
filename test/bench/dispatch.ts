// Benchmark: items per second through the whole farm with no GPU work.
// A real coordinator (startCoordinator) on a fresh Postgres database, NATS,
// s3rver in its own process and in-process agents (the real Agent class, on
// a thread of their own) whose renderer returns a tiny fixed PNG. Every
// output is uploaded, verified by the coordinator (HEAD) and recorded; the
// run ends with the checks that every item has exactly one output row. CPU
// time is measured per part (coordinator thread, agents thread, s3rver,
// Postgres), so that what limits the rate can be read off the result.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { connectNatsBus, localAdmin, startCoordinator } from "@atelier/coordinator";
import { createTestDatabase } from "@atelier/db/testing";
import { AtelierClient } from "@atelier/sdk";
import { natsUrl } from "../support/services.ts";
import { benchLogger, note, numericFlags, printResult, round } from "./support/bench-report.ts";
import { startAgentThread, type AgentThread } from "./support/agent-thread.ts";
import { commandCpuSeconds, cpuMeter, processCpuSeconds, threadCpuSeconds } from "./support/cpu-usage.ts";
import { measureObjectStore } from "./support/object-store-probe.ts";
import { startS3Child } from "./support/s3-child.ts";

const GOAL_ITEMS_PER_SECOND = 25_000;
const MODEL = "bench-model";

const flags = numericFlags({ items: 100_000, agents: 8, slots: 4, maxShardItems: 500, probeObjects: 2_000 });
const log = benchLogger("dispatch");
const database = await createTestDatabase();
const s3 = await startS3Child();
const bucket = `bench-${randomBytes(4).toString("hex")}`;
const store = s3.storeFor(bucket);
const bus = await connectNatsBus({ servers: await natsUrl(), prefix: `bench-${randomBytes(4).toString("hex")}`, name: "bench-dispatch" });
let agents: AgentThread | undefined;
let client: AtelierClient | undefined;
let coordinator: Awaited<ReturnType<typeof startCoordinator>> | undefined;

try {
  await store.ensureBucket();
  note(`probing the object store with ${flags.probeObjects} PUTs and HEADs`);
  const objectStore = await measureObjectStore(store, s3.pid, flags.probeObjects);

  coordinator = await startCoordinator({
    db: database.db, store, bus, log,
    grpcHost: "127.0.0.1", grpcPort: 0, httpHost: "127.0.0.1", httpPort: 0,
    defaults: { model: MODEL, width: 64, height: 64, steps: 1, guidance: 1, sampler: "euler" },
    heartbeatIntervalMs: 10_000, leaseTtlMs: 30_000, sweepIntervalMs: 10_000,
    maxShardItems: flags.maxShardItems, targetShardMs: 10_000, agingMsPerPriorityLevel: 600_000,
    maxAttempts: 5, presignedPutTtlMs: 15 * 60_000, dispatchPollMs: 1_000, outboxPollMs: 250,
  });
  const address = `127.0.0.1:${coordinator.grpcPort}`;
  // Tokens and credentials as an operator makes them: every call below is authenticated.
  const admin = localAdmin(database.db);
  const credentials = [];
  for (let a = 0; a < flags.agents; a++) credentials.push((await admin.enrollAgent(`bench-agent-${a}`, "bench")).credential);
  agents = await startAgentThread({ coordinator: address, credentials, agents: flags.agents, slots: flags.slots, model: MODEL });
  const agentTid = agents.tid;

  client = new AtelierClient(address, { token: (await admin.createToken({ tenant: "bench", role: "user", name: "bench" })).token });
  const submitStarted = performance.now();
  const { batchId } = await client.submitBatch(
    { tenant: "bench", name: "dispatch", priority: 0, baseSeed: 1, defaults: { model: MODEL, width: 64, height: 64, steps: 1, guidance: 1, sampler: "euler" } },
    specs(flags.items),
  );
  const submitSeconds = (performance.now() - submitStarted) / 1000;
  note(`submitted ${flags.items} items in ${submitSeconds.toFixed(1)} s; rendering`);

  const meter = cpuMeter({
    coordinatorThread: () => threadCpuSeconds(process.pid, process.pid),
    agentsThread: () => threadCpuSeconds(process.pid, agentTid),
    benchProcess: () => processCpuSeconds(process.pid),
    s3rver: () => processCpuSeconds(s3.pid),
    postgres: () => commandCpuSeconds("postgres"),
  });
  const started = performance.now();
  let lastNote = started;
  for (;;) {
    const [counts] = await database.db.query<{ done: number; failed: number; state: string }>(
      `SELECT done, failed, state FROM batch WHERE id = $1`, [batchId]);
    if (counts!.done + counts!.failed >= flags.items) break;
    if (performance.now() - lastNote > 5_000) {
      lastNote = performance.now();
      note(`${counts!.done} done, ${round(counts!.done / ((lastNote - started) / 1000))} items/s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = meter.stop();

  const [check] = await database.db.query<{ outputs: number; distinctItems: number; doneItems: number; failedItems: number }>(
    `SELECT (SELECT count(*)::int FROM output WHERE batch_id = $1) AS outputs,
            (SELECT count(DISTINCT item_id)::int FROM output WHERE batch_id = $1) AS "distinctItems",
            (SELECT count(*)::int FROM item WHERE batch_id = $1 AND state = 'done') AS "doneItems",
            (SELECT count(*)::int FROM item WHERE batch_id = $1 AND state = 'failed') AS "failedItems"`,
    [batchId],
  );
  const durable = check!.outputs === flags.items && check!.distinctItems === flags.items && check!.doneItems === flags.items;
  const itemsPerSecond = flags.items / seconds;
  printResult({
    bench: "dispatch",
    items: flags.items,
    agents: flags.agents,
    slotsPerAgent: flags.slots,
    maxShardItems: flags.maxShardItems,
    submitSeconds: round(submitSeconds, 2),
    seconds: round(seconds, 2),
    itemsPerSecond: round(itemsPerSecond),
    goalItemsPerSecond: GOAL_ITEMS_PER_SECOND,
    goalMet: durable && itemsPerSecond >= GOAL_ITEMS_PER_SECOND,
    durable,
    outputRows: check!.outputs,
    duplicateOutputs: check!.outputs - check!.distinctItems,
    failedItems: check!.failedItems,
    // benchProcess is both threads plus Node's helper threads (GC, libuv pool).
    cpuMsPerItem: Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, round((v * 1000) / flags.items, 3)])),
    // What the coordinator thread alone could sustain on one core if the object store and Postgres cost nothing.
    coordinatorCoreItemsPerSecond: round(flags.items / cpuSeconds.coordinatorThread!),
    objectStore,
  });
  if (!durable) process.exitCode = 1;
} finally {
  client?.close();
  await agents?.close();
  await coordinator?.close();
  await bus.close();
  await store.close();
  await s3.close();
  await database.drop();
}

function* specs(total: number) {
  // count expands to consecutive seeds; LIMITS.maxCount is 100.
  for (let index = 0; index < total; index += 100) {
    yield { prompt: `bench prompt ${index}`, negativePrompt: "", seed: 0, hasSeed: false, count: Math.min(100, total - index), source: "" };
  }
}
