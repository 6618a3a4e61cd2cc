// Benchmark: items per second through the whole farm with no GPU work.
// A real coordinator (startCoordinator) on a fresh Postgres database, NATS,
// s3rver in its own process and in-process agents (the real Agent class)
// whose renderer returns a tiny fixed PNG. Every output is uploaded,
// verified by the coordinator and recorded; the run ends with the checks
// that every item has exactly one output row.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Agent } from "@atelier/agent";
import { connectNatsBus, startCoordinator } from "@atelier/coordinator";
import { createTestDatabase } from "@atelier/db/testing";
import { AtelierClient } from "@atelier/sdk";
import { natsUrl } from "../support/services.ts";
import { benchLogger, note, numericFlags, printResult, round } from "./support/bench-report.ts";
import { commandCpuSeconds, cpuMeter, processCpuSeconds } from "./support/cpu-usage.ts";
import { measureObjectStore } from "./support/object-store-probe.ts";
import { startS3Child } from "./support/s3-child.ts";
import { TinyPngRenderer } from "./support/tiny-png-renderer.ts";

const GOAL_ITEMS_PER_SECOND = 25_000;
const MODEL = "bench-model";

const flags = numericFlags({ items: 100_000, agents: 8, slots: 4, maxShardItems: 500, probeObjects: 2_000 });
const log = benchLogger("dispatch");
const database = await createTestDatabase();
const s3 = await startS3Child();
const bucket = `bench-${randomBytes(4).toString("hex")}`;
const store = s3.storeFor(bucket);
const bus = await connectNatsBus({ servers: await natsUrl(), prefix: `bench-${randomBytes(4).toString("hex")}`, name: "bench-dispatch" });
const agents: Agent[] = [];
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
  for (let a = 0; a < flags.agents; a++) {
    const agent = new Agent({
      coordinator: address, id: `bench-agent-${a}`, name: `bench-agent-${a}`,
      renderers: Array.from({ length: flags.slots }, () => new TinyPngRenderer()),
      models: [MODEL], providers: ["cpu"], gpu: "none", memoryBytes: 0, maxWidth: 64, maxHeight: 64,
      version: "bench", log,
    });
    agents.push(agent);
    await agent.start();
  }

  client = new AtelierClient(address);
  const submitStarted = performance.now();
  const { batchId } = await client.submitBatch(
    { tenant: "bench", name: "dispatch", priority: 0, baseSeed: 1, defaults: { model: MODEL, width: 64, height: 64, steps: 1, guidance: 1, sampler: "euler" } },
    specs(flags.items),
  );
  const submitSeconds = (performance.now() - submitStarted) / 1000;
  note(`submitted ${flags.items} items in ${submitSeconds.toFixed(1)} s; rendering`);

  const meter = cpuMeter({
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
    cpuMsPerItem: Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, round((v * 1000) / flags.items, 3)])),
    objectStore,
  });
  if (!durable) process.exitCode = 1;
} finally {
  client?.close();
  await Promise.all(agents.map((agent) => agent.close()));
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
