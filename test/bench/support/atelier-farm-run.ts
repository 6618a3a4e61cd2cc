import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { connectNatsBus, localAdmin, startCoordinator } from "@atelier/coordinator";
import { createTestDatabase, type TestDatabase } from "@atelier/db/testing";
import { AtelierClient } from "@atelier/sdk";
import { natsUrl } from "../../support/services.ts";
import { startAgentThread, type AgentThread } from "./agent-thread.ts";
import { benchLogger, note, progressTimeline, round } from "./bench-report.ts";
import { commandCpuSeconds, cpuMeter, processCpuSeconds, threadCpuSeconds } from "./cpu-usage.ts";
import { measureObjectStore } from "./object-store-probe.ts";
import { postgresBackendCpu } from "./postgres-cpu.ts";
import { SAMPLED_OBJECTS, sha256Mismatches } from "./sampled-objects.ts";
import { startS3Child, storageRequestsPerItem, type S3Child } from "./s3-child.ts";
import { countStatements, databaseActivity, tableReads } from "./statement-counter.ts";

/** The work both farms of the dispatch benchmarks do: `items` images of width x height, on `agents` x `slots`. */
export interface FarmRunOptions {
  items: number;
  agents: number;
  slots: number;
  width: number;
  height: number;
  /** Threads in the S3 server's libuv pool (see startS3Child). */
  s3ThreadPool: number;
}

export interface AtelierFarmOptions extends FarmRunOptions {
  maxShardItems: number;
  /** PUTs and verifying GETs to probe the object store with first; 0 skips the probe. */
  probeObjects: number;
  /** The S3 server publishes its event notifications on NATS and the coordinator confirms uploads by them (ATELIER_STORE_EVENTS_SUBJECT). */
  storeNotices: boolean;
}

const MODEL = "bench-model";
// Postgres 15 publishes an idle backend's counters after a second
// (PGSTAT_MIN_INTERVAL), or, when another backend holds the stats lock, after
// up to 10 s (PGSTAT_IDLE_INTERVAL): with 1.5 s here, a 20,000-item run under
// load counted the submission's item rows as the run's.
const STATS_FLUSH_MS = 11_000;

/**
 * Items through the whole Atelier farm with no GPU work: a real coordinator
 * (startCoordinator) on a fresh Postgres database, NATS, s3rver in its own
 * process, and the real Agent class on a thread of its own, rendering a
 * fixed PNG. Every output is uploaded, verified by the coordinator (one
 * ranged GET: PNG header, size, ETag; or by the store's notices) and
 * recorded; the run ends with the check that every item has exactly one
 * output row, and that a random sample of 1,000 objects hash to their rows'
 * sha256. CPU time is measured per
 * part, and the coordinator's statements are counted per item.
 */
export async function runAtelierFarm(options: AtelierFarmOptions) {
  const log = benchLogger("dispatch");
  const defaults = { model: MODEL, width: options.width, height: options.height, steps: 1, guidance: 1, sampler: "euler" };
  let database: TestDatabase | undefined;
  let s3: S3Child | undefined;
  let bus: Awaited<ReturnType<typeof connectNatsBus>> | undefined;
  let agents: AgentThread | undefined;
  let client: AtelierClient | undefined;
  let coordinator: Awaited<ReturnType<typeof startCoordinator>> | undefined;
  let coordinatorStore: ReturnType<S3Child["storeFor"]> | undefined;
  let objectStore: Awaited<ReturnType<typeof measureObjectStore>> | undefined;
  let postgresCpu: Awaited<ReturnType<typeof postgresBackendCpu>> | undefined;
  try {
    database = await createTestDatabase();
    const noticeSubject = options.storeNotices ? `bench-store-notices-${randomBytes(4).toString("hex")}` : undefined;
    s3 = await startS3Child({ threadPool: options.s3ThreadPool, ...(noticeSubject ? { notices: { natsUrl: await natsUrl(), subject: noticeSubject } } : {}) });
    coordinatorStore = s3.storeFor(`bench-${randomBytes(4).toString("hex")}`);
    await coordinatorStore.ensureBucket();
    bus = await connectNatsBus({ servers: await natsUrl(), prefix: `bench-${randomBytes(4).toString("hex")}`, name: "bench-dispatch" });
    if (options.probeObjects > 0) {
      note(`probing the object store with ${options.probeObjects} PUTs and verifying GETs`);
      objectStore = await measureObjectStore(coordinatorStore, s3.pid, options.probeObjects);
    }

    const counted = countStatements(database.db);
    coordinator = await startCoordinator({
      db: counted.db, store: coordinatorStore, bus, log,
      grpcHost: "127.0.0.1", grpcPort: 0, httpHost: "127.0.0.1", httpPort: 0,
      defaults,
      heartbeatIntervalMs: 10_000, leaseTtlMs: 30_000, sweepIntervalMs: 10_000,
      maxShardItems: options.maxShardItems, targetShardMs: 10_000, agingMsPerPriorityLevel: 600_000,
      maxAttempts: 5, presignedPutTtlMs: 15 * 60_000, dispatchPollMs: 1_000, outboxPollMs: 250,
      ...(noticeSubject ? { storeEventsSubject: noticeSubject } : {}),
    });
    const address = `127.0.0.1:${coordinator.grpcPort}`;
    // Tokens and credentials as an operator makes them: every call below is authenticated.
    const admin = localAdmin(database.db);
    const credentials = [];
    for (let a = 0; a < options.agents; a++) credentials.push((await admin.enrollAgent(`bench-agent-${a}`, "bench")).credential);

    client = new AtelierClient(address, { token: (await admin.createToken({ tenant: "bench", role: "user", name: "bench" })).token });
    const submitStarted = performance.now();
    const { batchId } = await client.submitBatch(
      { tenant: "bench", name: "dispatch", priority: 0, baseSeed: 1, defaults },
      specs(options.items),
    );
    const submitSeconds = (performance.now() - submitStarted) / 1000;
    note(`atelier: submitted ${options.items} items in ${submitSeconds.toFixed(1)} s; rendering`);

    // The agents start only now, so that the submission's own work is out
    // of the counters read here; the clock starts once all are welcomed.
    await new Promise((resolve) => setTimeout(resolve, STATS_FLUSH_MS));
    const activityBefore = await databaseActivity(database.db);
    const readsBefore = await tableReads(database.db);
    const statementsBefore = snapshot(counted.counts.byStatement);
    const requestsBefore = await s3.requests();
    agents = await startAgentThread({ coordinator: address, credentials, agents: options.agents, slots: options.slots, model: MODEL });
    const agentTid = agents.tid;
    postgresCpu = await postgresBackendCpu(database.url);
    await postgresCpu.start();
    const meter = cpuMeter({
      coordinatorThread: () => threadCpuSeconds(process.pid, process.pid),
      agentsThread: () => threadCpuSeconds(process.pid, agentTid),
      benchProcess: () => processCpuSeconds(process.pid),
      s3rver: () => processCpuSeconds(s3!.pid),
      // Its JavaScript thread alone: one core at most, whatever its file-system threads add.
      s3rverEventLoop: () => threadCpuSeconds(s3!.pid, s3!.pid),
      // Every postgres process on the machine, others' included: how the figures before 2026-12 were taken.
      postgresAllProcesses: () => commandCpuSeconds("postgres"),
    });
    const started = performance.now();
    const timeline = progressTimeline(started);
    let lastNote = started;
    let polls = 0;
    for (;;) {
      polls++;
      await postgresCpu.sample();
      const [counts] = await postgresCpu.query<{ done: number; failed: number }>(
        `SELECT done, failed FROM batch WHERE id = $1`, [batchId]);
      timeline.mark(counts!.done + counts!.failed);
      if (counts!.done + counts!.failed >= options.items) break;
      if (performance.now() - lastNote > 5_000) {
        lastNote = performance.now();
        note(`atelier: ${counts!.done} done, ${round(counts!.done / ((lastNote - started) / 1000))} items/s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds: Record<string, number> = { ...meter.stop(), postgres: (await postgresCpu.sample(), postgresCpu.seconds()) };
    const statements = difference(snapshot(counted.counts.byStatement), statementsBefore);
    const requestsAfter = await s3.requests();
    // Agents and coordinator stop before the counters are read, so that nothing after the run is counted in it.
    await agents.close();
    await coordinator.close();
    await new Promise((resolve) => setTimeout(resolve, STATS_FLUSH_MS));
    const activityAfter = await databaseActivity(database.db);
    const readsAfter = await tableReads(database.db);

    const [check] = await database.db.query<{ outputs: number; distinctItems: number; doneItems: number; failedItems: number }>(
      `SELECT (SELECT count(*)::int FROM output WHERE batch_id = $1) AS outputs,
              (SELECT count(DISTINCT item_id)::int FROM output WHERE batch_id = $1) AS "distinctItems",
              (SELECT count(*)::int FROM item WHERE batch_id = $1 AND state = 'done') AS "doneItems",
              (SELECT count(*)::int FROM item WHERE batch_id = $1 AND state = 'failed') AS "failedItems"`,
      [batchId],
    );
    // The bytes behind the rows: a random sample of objects read back and hashed against their rows' sha256.
    const sample = await database.db.query<{ key: string; sha256: string }>(
      `SELECT key, sha256 FROM output WHERE batch_id = $1 ORDER BY random() LIMIT $2`, [batchId, SAMPLED_OBJECTS]);
    const mismatches = await sha256Mismatches(coordinatorStore, sample);
    const durable = check!.outputs === options.items && check!.distinctItems === options.items && check!.doneItems === options.items
      && mismatches === 0;
    const perItem = (value: number) => round(value / options.items, 3);
    const statementTotal = [...statements.values()].reduce((sum, n) => sum + n, 0);
    return {
      submitSeconds: round(submitSeconds, 2),
      seconds: round(seconds, 2),
      itemsPerSecond: round(options.items / seconds),
      // Items settled in each second of the run, as the batch's counters (polled every 100 ms) had them.
      itemsBySecond: timeline.perSecond(),
      durable,
      outputRows: check!.outputs,
      duplicateOutputs: check!.outputs - check!.distinctItems,
      failedItems: check!.failedItems,
      sha256Checked: sample.length,
      sha256Mismatches: mismatches,
      // benchProcess is both threads plus Node's helper threads (GC, libuv pool).
      cpuMsPerItem: Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, round((v * 1000) / options.items, 3)])),
      // Requests the S3 server received while the items ran, per item: the agents' PUTs, the coordinator's verifying reads, the rest.
      storageRequestsPerItem: storageRequestsPerItem(requestsBefore, requestsAfter, options.items),
      // What the coordinator thread alone could sustain on one core if the object store and Postgres cost nothing.
      coordinatorCoreItemsPerSecond: round(options.items / cpuSeconds.coordinatorThread!),
      postgresPerItem: {
        // Counted in the coordinator's own SQL paths, from the end of the submission to the last item.
        statements: perItem(statementTotal),
        byStatement: Object.fromEntries([...statements].sort((a, b) => b[1] - a[1]).map(([text, n]) => [text, perItem(n)])),
        // pg_stat_database over the same span and the stop after it: every session on the
        // run's database, the bench's own included (two statements per poll, `benchPolls`).
        ...Object.fromEntries(Object.entries(activityAfter).map(([k, v]) => [k, perItem(v - activityBefore[k]!)])),
        benchPolls: polls,
        // Rows read per item by table and scan kind (sequential, index), the largest first.
        rowsReadByTable: Object.fromEntries(Object.entries(readsAfter)
          .map(([k, v]) => [k, perItem(v - (readsBefore[k] ?? 0))] as const)
          .filter(([, v]) => v > 0)
          .sort((a, b) => b[1] - a[1])),
      },
      ...(objectStore ? { objectStore } : {}),
    };
  } finally {
    await postgresCpu?.close();
    client?.close();
    await agents?.close();
    await coordinator?.close();
    await bus?.close();
    await coordinatorStore?.close();
    await s3?.close();
    await database?.drop();
  }
}

function snapshot(counts: Map<string, number>): Map<string, number> {
  return new Map(counts);
}

function difference(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  const result = new Map<string, number>();
  for (const [text, n] of after) if (n - (before.get(text) ?? 0) > 0) result.set(text, n - (before.get(text) ?? 0));
  return result;
}

function* specs(total: number) {
  // count expands to consecutive seeds; LIMITS.maxCount is 100.
  for (let index = 0; index < total; index += 100) {
    yield { prompt: `bench prompt ${index}`, negativePrompt: "", seed: 0, hasSeed: false, count: Math.min(100, total - index), source: "" };
  }
}
