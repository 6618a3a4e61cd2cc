// Benchmark: 1,000,000 prompts streamed through Farm.SubmitBatch (the SDK's
// AtelierClient.submitBatch) to a coordinator process on Postgres, timed
// until the coordinator answers with the batch id, i.e. until every item is
// durable; then the rows are counted. CPU: client, coordinator, every
// postgres process on the machine (postgres) and the run database's own
// backends (postgresRunDatabase).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { localAdmin } from "@atelier/coordinator";
import { createTestDatabase } from "@atelier/db/testing";
import { AtelierClient } from "@atelier/sdk";
import { promptAt } from "../support/prompt-files.ts";
import { note, numericFlags, printResult, round } from "./support/bench-report.ts";
import { servicesEnv, startCoordinatorProcess } from "./support/coordinator-process.ts";
import { commandCpuSeconds, cpuMeter, processCpuSeconds } from "./support/cpu-usage.ts";
import { postgresBackendCpu } from "./support/postgres-cpu.ts";
import { startS3Child } from "./support/s3-child.ts";

const GOAL_SECONDS = 8; // issue 11

const flags = numericFlags({ items: 1_000_000, chunkItems: 1_000 });
const database = await createTestDatabase();
const s3 = await startS3Child();
let coordinator: Awaited<ReturnType<typeof startCoordinatorProcess>> | undefined;
let client: AtelierClient | undefined;

try {
  coordinator = await startCoordinatorProcess(await servicesEnv(database, s3));
  const { token } = await localAdmin(database.db).createToken({ tenant: "bench", role: "user", name: "bench" });
  client = new AtelierClient(coordinator.address, { token, submitChunkItems: flags.chunkItems });
  const coordinatorPid = coordinator.pid;
  const meter = cpuMeter({
    client: () => processCpuSeconds(process.pid),
    coordinator: () => processCpuSeconds(coordinatorPid),
    postgres: () => commandCpuSeconds("postgres"),
  });
  // The run database's own backends (the COPY's among them), apart from other users of the same Postgres.
  const backends = await postgresBackendCpu(database.url);
  await backends.start();
  const sampler = setInterval(() => void backends.sample(), 1_000);
  note(`submitting ${flags.items} prompts`);
  const loadBefore = loadAverage();
  const started = performance.now();
  const { batchId, itemCount } = await client.submitBatch(
    { tenant: "bench", name: "submit", priority: 0, baseSeed: 7, defaults: { model: "bench-model", width: 512, height: 512, steps: 20, guidance: 7.5, sampler: "euler" } },
    prompts(flags.items),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = meter.stop();
  clearInterval(sampler);
  await backends.sample();
  await backends.close();

  const [rows] = await database.db.query<{ items: number; lastIndex: number; state: string; total: number }>(
    `SELECT (SELECT count(*)::int FROM item WHERE batch_id = $1) AS items,
            (SELECT max(index) FROM item WHERE batch_id = $1) AS "lastIndex",
            b.state, b.total FROM batch b WHERE b.id = $1`,
    [batchId],
  );
  const durable = itemCount === flags.items && rows!.items === flags.items && rows!.total === flags.items && rows!.lastIndex === flags.items - 1;
  printResult({
    bench: "submit",
    items: flags.items,
    chunkItems: flags.chunkItems,
    seconds: round(seconds, 2),
    itemsPerSecond: round(flags.items / seconds),
    goalSeconds: GOAL_SECONDS,
    goalMet: durable && seconds <= GOAL_SECONDS,
    durable,
    itemRows: rows!.items,
    batchState: rows!.state,
    cpuSeconds: { ...Object.fromEntries(Object.entries(cpuSeconds).map(([name, value]) => [name, round(value, 2)])), postgresRunDatabase: round(backends.seconds(), 2) },
    loadAverage: { before: loadBefore, after: loadAverage() },
  });
  if (!durable) process.exitCode = 1;
} finally {
  client?.close();
  await coordinator?.stop();
  await s3.close();
  await database.drop();
}

function loadAverage(): number {
  return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}

function* prompts(total: number) {
  for (let index = 0; index < total; index++) {
    yield { prompt: `${promptAt(index)}, variation ${index}`, negativePrompt: "", seed: 0, hasSeed: false, count: 1, source: "" };
  }
}
