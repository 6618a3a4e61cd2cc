import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import { Worker as Thread } from "node:worker_threads";
import { createTestDatabase, type TestDatabase } from "@atelier/db/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { note, progressTimeline, round } from "./bench-report.ts";
import type { BullmqJobData, BullmqThreadOptions } from "./bullmq-thread-main.ts";
import { postgresBackendCpu } from "./postgres-cpu.ts";
import { commandCpuSeconds, cpuMeter, processCpuSeconds, threadCpuSeconds } from "./cpu-usage.ts";
import type { FarmRunOptions } from "./atelier-farm-run.ts";
import { startS3Child, storageRequestsPerItem, type S3Child } from "./s3-child.ts";
import { SAMPLED_OBJECTS, sha256Mismatches } from "./sampled-objects.ts";
import { TinyPngRenderer } from "./tiny-png-renderer.ts";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** The Redis server the baseline uses; a clear error, before any work, when it does not answer. */
export async function redisUrl(): Promise<string> {
  const url = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const { hostname, port } = new URL(url);
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `the BullMQ baseline needs Redis at ${url} (set REDIS_URL, or start Debian's server: redis-server --bind ${hostname} --port ${port || 6379} --daemonize yes): ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
  return url;
}

// At-least-once: a job whose worker dies mid-way is run again, so nothing
// stops a second row for the same item. No unique key on item_index, as a
// hand-built farm would have it; the check at the end counts duplicates.
const OUTPUT_TABLE = `CREATE TABLE bullmq_output (
  id bigserial PRIMARY KEY,
  item_index integer NOT NULL,
  job_id text NOT NULL,
  worker integer NOT NULL,
  object_key text NOT NULL,
  bytes integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * The farm a user would build instead of Atelier: a BullMQ queue on Redis,
 * `options.agents` workers of `options.slots` concurrency, each job one PUT
 * of the same PNG to s3rver and one INSERT in Postgres (a database of its
 * own on the same server). Jobs are all queued before the workers start, as
 * the Atelier side's items are all durable before its clock starts.
 */
export async function runBullmqFarm(options: FarmRunOptions) {
  const redis = await redisUrl();
  let database: TestDatabase | undefined;
  let s3: S3Child | undefined;
  let thread: Thread | undefined;
  let queue: Queue<BullmqJobData> | undefined;
  let postgresCpu: Awaited<ReturnType<typeof postgresBackendCpu>> | undefined;
  try {
    database = await createTestDatabase();
    await database.db.query(OUTPUT_TABLE);
    s3 = await startS3Child({ threadPool: options.s3ThreadPool });
    const bucket = `bench-${randomBytes(4).toString("hex")}`;
    const store = s3.storeFor(bucket);
    await store.ensureBucket();
    await store.close();
    const queueName = `bench-${randomBytes(4).toString("hex")}`;
    const redisAddress = new URL(redis);
    queue = new Queue<BullmqJobData>(queueName, { connection: { host: redisAddress.hostname, port: Number(redisAddress.port || 6379) } });

    const threadOptions: BullmqThreadOptions = {
      redisUrl: redis, queue: queueName, databaseUrl: database.url,
      s3: { endpoint: s3.endpoint, bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      workers: options.agents, concurrency: options.slots, width: options.width, height: options.height, jobs: options.items,
    };
    thread = new Thread(new URL("./ts-thread-entry.mjs", import.meta.url), {
      workerData: { ...threadOptions, main: new URL("./bullmq-thread-main.ts", import.meta.url).href },
    });
    const threadError = once(thread, "error").then(([error]) => Promise.reject(error as Error));
    threadError.catch(() => {});
    const [ready] = (await Promise.race([once(thread, "message"), threadError])) as [{ tid: number }];
    const workersTid = ready.tid;

    const submitStarted = performance.now();
    // Same retry budget as the Atelier side's maxAttempts; completed jobs leave Redis as a high-volume queue is usually set up.
    const jobOptions = { attempts: 5, backoff: { type: "exponential", delay: 1_000 }, removeOnComplete: true, removeOnFail: false };
    for (let index = 0; index < options.items; index += 1_000) {
      const chunk = [];
      for (let i = index; i < Math.min(index + 1_000, options.items); i++) {
        chunk.push({ name: "render", data: { index: i, prompt: `bench prompt ${i - (i % 100)}`, seed: i }, opts: jobOptions });
      }
      await queue.addBulk(chunk);
    }
    const submitSeconds = (performance.now() - submitStarted) / 1000;
    note(`bullmq: queued ${options.items} jobs in ${submitSeconds.toFixed(1)} s; rendering`);

    const meterOfPostgres = (postgresCpu = await postgresBackendCpu(database.url));
    await meterOfPostgres.start();
    const sampler = setInterval(() => void meterOfPostgres.sample().catch(() => {}), 100);
    const meter = cpuMeter({
      producerThread: () => threadCpuSeconds(process.pid, process.pid),
      workersThread: () => threadCpuSeconds(process.pid, workersTid),
      benchProcess: () => processCpuSeconds(process.pid),
      s3rver: () => processCpuSeconds(s3!.pid),
      // Its JavaScript thread alone: one core at most, whatever its file-system threads add.
      s3rverEventLoop: () => threadCpuSeconds(s3!.pid, s3!.pid),
      // Every postgres process on the machine, others' included: how the figures before 2026-12 were taken.
      postgresAllProcesses: () => commandCpuSeconds("postgres"),
      // Every redis-server on the machine: the one at REDIS_URL is shared with whoever else uses it.
      redis: () => commandCpuSeconds("redis-server"),
    });
    const requestsBefore = await s3.requests();
    const started = performance.now();
    const timeline = progressTimeline(started);
    const finished = new Promise<{ completed: number; failed: number }>((resolve) => {
      thread!.on("message", (message: { progress?: number; finished?: { completed: number; failed: number } }) => {
        if (message.progress !== undefined) timeline.mark(message.progress);
        if (message.finished) {
          timeline.mark(message.finished.completed + message.finished.failed);
          resolve(message.finished);
        }
      });
    });
    const progress = setInterval(() => {
      void queue!.getJobCounts("waiting", "active", "failed").then((counts) => note(`bullmq: ${JSON.stringify(counts)}`), () => {});
    }, 5_000);
    thread.postMessage("run");
    const jobs = await Promise.race([finished, threadError]);
    clearInterval(progress);
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds: Record<string, number> = { ...meter.stop(), postgres: (await postgresCpu.sample(), postgresCpu.seconds()) };
    const requestsAfter = await s3.requests();

    const [check] = await database.db.query<{ rows: number; distinctItems: number }>(
      `SELECT count(*)::int AS rows, count(DISTINCT item_index)::int AS "distinctItems" FROM bullmq_output`);
    // The bytes behind a random sample of rows: every job PUT the same PNG, whose sha256 the rows do not keep.
    const { png } = await new TinyPngRenderer().render({ width: options.width, height: options.height });
    const expected = createHash("sha256").update(png).digest("hex");
    const sample = await database.db.query<{ key: string; sha256: string }>(
      `SELECT object_key AS key, $2::text AS sha256 FROM bullmq_output ORDER BY random() LIMIT $1`, [SAMPLED_OBJECTS, expected]);
    const checkStore = s3.storeFor(bucket);
    const mismatches = await sha256Mismatches(checkStore, sample).finally(() => checkStore.close());
    const durable = check!.rows === options.items && check!.distinctItems === options.items && jobs.failed === 0 && mismatches === 0;
    return {
      seconds: round(seconds, 2),
      submitSeconds: round(submitSeconds, 2),
      itemsPerSecond: round(options.items / seconds),
      // Jobs completed in each second of the run.
      itemsBySecond: timeline.perSecond(),
      durable,
      outputRows: check!.rows,
      duplicateOutputs: check!.rows - check!.distinctItems,
      failedItems: jobs.failed,
      sha256Checked: sample.length,
      sha256Mismatches: mismatches,
      storageRequestsPerItem: storageRequestsPerItem(requestsBefore, requestsAfter, options.items),
      // benchProcess is both threads plus Node's helper threads (GC, libuv pool).
      cpuMsPerItem: Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, round((v * 1000) / options.items, 3)])),
    };
  } finally {
    if (thread) {
      const closed = once(thread, "message");
      thread.postMessage("close");
      await Promise.race([closed, once(thread, "error"), new Promise((resolve) => setTimeout(resolve, 10_000))]);
      await thread.terminate();
    }
    await queue?.obliterate({ force: true }).catch(() => {});
    await queue?.close();
    await postgresCpu?.close();
    await s3?.close();
    await database?.drop();
  }
}
