// The BullMQ baseline's workers on a thread of their own, so that the
// benchmark can tell their CPU time from the producer's. Each worker is what
// a user would write without Atelier: take a job, "render" (the same fixed
// PNG as the Atelier agents' TinyPngRenderer), PUT it to S3 with the AWS SDK,
// INSERT one row in Postgres. One S3 client and one pg pool per worker, as
// separate worker processes would have.
import { readlinkSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Worker, type Job } from "bullmq";
import pg from "pg";
import { TinyPngRenderer } from "./tiny-png-renderer.ts";

export interface BullmqThreadOptions {
  redisUrl: string;
  queue: string;
  /** Every job's row goes to `bullmq_output` in this database. */
  databaseUrl: string;
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string };
  workers: number;
  concurrency: number;
  width: number;
  height: number;
  /** The thread reports `{ finished }` once this many jobs have completed or failed for good. */
  jobs: number;
}

export interface BullmqJobData {
  index: number;
  prompt: string;
  seed: number;
}

const options = workerData as BullmqThreadOptions;
const redis = new URL(options.redisUrl);
let completed = 0;
let failed = 0;
// The jobs done so far, sent to the main thread every 100 ms while the workers run (its progress timeline).
let progress: NodeJS.Timeout | undefined;
const closers: (() => Promise<void>)[] = [];

const workers = Array.from({ length: options.workers }, (_, w) => {
  const s3 = new S3Client({
    endpoint: options.s3.endpoint, region: "us-east-1", forcePathStyle: true,
    credentials: { accessKeyId: options.s3.accessKeyId, secretAccessKey: options.s3.secretAccessKey },
  });
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.concurrency });
  const renderer = new TinyPngRenderer();
  const worker = new Worker<BullmqJobData>(options.queue, async (job: Job<BullmqJobData>) => {
    const { png } = await renderer.render({ width: options.width, height: options.height });
    const key = `bullmq/${String(job.data.index).padStart(8, "0")}.png`;
    await s3.send(new PutObjectCommand({ Bucket: options.s3.bucket, Key: key, Body: png, ContentType: "image/png" }));
    await pool.query(
      `INSERT INTO bullmq_output (item_index, job_id, worker, object_key, bytes) VALUES ($1, $2, $3, $4, $5)`,
      [job.data.index, job.id, w, key, png.byteLength],
    );
  }, {
    connection: { host: redis.hostname, port: Number(redis.port || 6379) },
    concurrency: options.concurrency,
    autorun: false,
  });
  worker.on("completed", () => count(true));
  worker.on("failed", (job) => {
    // A job that will be retried is not finished yet.
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) count(false);
  });
  worker.on("error", (error) => process.stderr.write(`bullmq worker ${w}: ${error.message}\n`));
  closers.push(async () => {
    await worker.close();
    await pool.end();
    s3.destroy();
  });
  return worker;
});

function count(ok: boolean): void {
  if (ok) completed++;
  else failed++;
  if (completed + failed === options.jobs) {
    clearInterval(progress);
    parentPort!.postMessage({ finished: { completed, failed } });
  }
}

await Promise.all(workers.map((worker) => worker.waitUntilReady()));
// /proc/thread-self names this thread's task id, whose CPU time /proc/<pid>/task/<tid>/stat counts.
parentPort!.postMessage({ ready: true, tid: Number(readlinkSync("/proc/thread-self").split("/").pop()) });
parentPort!.on("message", (message: "run" | "close") => {
  if (message === "run") {
    progress = setInterval(() => parentPort!.postMessage({ progress: completed }), 100);
    for (const worker of workers) {
      worker.run().catch((error: Error) => process.stderr.write(`bullmq worker stopped: ${error.message}\n`));
    }
  } else {
    clearInterval(progress);
    void Promise.all(closers.map((close) => close())).then(() => parentPort!.postMessage({ closed: true }));
  }
});
