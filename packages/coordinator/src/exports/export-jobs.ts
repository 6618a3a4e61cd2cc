import { randomBytes, randomUUID } from "node:crypto";
import { exportDataset, type ExportStats, type RowSource } from "@atelier/dataset";
import { exportJobStore, exportStore, type Database, type ExportJobRow } from "@atelier/db";
import type { Logger } from "@atelier/common";
import type { ExportJobInfo, ExportJobProgress, ExportRequest } from "@atelier/dashboard/api-types";
import { subjects, type EventBus } from "../events/index.ts";
import type { ObjectStore } from "../storage/index.ts";
import { BucketSink } from "./bucket-sink.ts";

/**
 * A job's row (export_job): who started it and when, which coordinator runs
 * it (`epoch`), and how far it got. The shards' `_stats.json` in the bucket
 * is the truth of how far an export got (the exporter resumes from it); the
 * row is what lets exactly one coordinator at a time run the export.
 */
type JobRecord = Omit<ExportJobRow, "request"> & { request: ExportRequest };

interface RunningJob {
  record: JobRecord;
  /** samples in whole shards; `record.samples` adds the open shard's */
  committedSamples: number;
  abort: AbortController;
  /** set when another coordinator has taken the job over: this run writes nothing more */
  lost: boolean;
  done: Promise<void>;
  lastPublishMs: number;
}

export interface ExportJobsOptions {
  db: Database;
  store: ObjectStore;
  bus: EventBus;
  log: Logger;
  /** How often a running job's row is refreshed; a row silent for three of these is interrupted and may be taken over. */
  heartbeatMs: number;
  /** Exports one coordinator runs at once. */
  maxRunning: number;
  /** Progress events are sent at most this often per job (and at every shard). */
  publishEveryMs: number;
  /** Lifetime of the links to a finished export's files. */
  fileUrlTtlMs: number;
}

/** A batch the exports are of, as the routes found it. */
export interface ExportBatch {
  id: string;
  tenantId: string;
}

/** An export that cannot start or resume now; the message says why. */
export class ExportConflictError extends Error {}

/** Thrown by a run's writes once another coordinator has taken its export over. */
class ExportTakenOverError extends Error {}

const ROWS_PER_PAGE = 200;
// A finished export lists its files with links; past this the rest are in the bucket (and named in _stats.json).
const MAX_LISTED_FILES = 200;
const JOB_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

/**
 * Server-side dataset exports into the farm's own bucket. Each runs in this
 * coordinator through the same exporter as `atelier export` (streaming,
 * resumable, byte-for-byte repeatable), reading rows from the database and
 * images from the bucket. Progress goes out on the event bus
 * (`atelier.batch.<id>.export`) for every dashboard, whichever coordinator
 * serves it. A job is run by the coordinator that holds its row's epoch:
 * resuming takes the row over in one statement (exportJobStore.claim), and
 * every write of a run, to the row or the bucket, first checks that the
 * run still holds it.
 */
export class ExportJobs {
  private readonly running = new Map<string, RunningJob>();
  private readonly ownerId = randomUUID();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly silenceMs: number;
  // Starts and resumes between their capacity check and their run.
  private reserved = 0;
  private closed = false;

  constructor(private readonly options: ExportJobsOptions) {
    this.silenceMs = 3 * options.heartbeatMs;
    this.heartbeat = setInterval(() => {
      for (const job of this.running.values()) void this.beat(job);
    }, options.heartbeatMs);
    this.heartbeat.unref();
  }

  static isJobId(id: string): boolean {
    return JOB_ID.test(id);
  }

  /** The batch's exports, newest first, each with links to its files once complete. */
  async list(batch: ExportBatch): Promise<ExportJobInfo[]> {
    const rows = await exportJobStore.list(this.options.db, batch.id, this.silenceMs);
    return Promise.all(rows.map((row) => this.info(this.running.get(row.id)?.record ?? recordOf(row))));
  }

  async get(batch: ExportBatch, id: string): Promise<ExportJobInfo | undefined> {
    const running = this.running.get(id);
    if (running) return this.info(running.record);
    const row = await exportJobStore.get(this.options.db, batch.id, id, this.silenceMs);
    return row && this.info(recordOf(row));
  }

  /** Starts an export of a finished batch; the request was checked by the route. */
  async start(batch: ExportBatch, request: ExportRequest, actor: string): Promise<ExportJobInfo> {
    const release = this.reserve();
    try {
      const id = `${new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`;
      const total = await exportStore.count(this.options.db, { batchId: batch.id, includeRejected: request.includeRejected, minClipScore: request.minClipScore });
      const prefix = `${batch.tenantId}/${batch.id}/exports/${id}/`;
      await exportJobStore.create(this.options.db, { id, batchId: batch.id, tenantId: batch.tenantId, request, prefix, startedBy: actor, ownerId: this.ownerId, total });
      const row = await exportJobStore.get(this.options.db, batch.id, id, this.silenceMs);
      return this.info(this.run(recordOf(row!)).record);
    } finally {
      release();
    }
  }

  /**
   * Continues an interrupted or failed export after its last whole shard.
   * Of several coordinators asked at once, one takes the job over; the
   * others answer that it is running.
   */
  async resume(batch: ExportBatch, id: string, actor: string): Promise<ExportJobInfo | undefined> {
    const { db } = this.options;
    if (this.running.has(id)) throw running(id);
    const found = await exportJobStore.get(db, batch.id, id, this.silenceMs);
    if (!found) return undefined;
    if (found.state === "complete") throw complete(id);
    if (found.state === "running") throw running(id);
    const release = this.reserve();
    try {
      const claimed = await exportJobStore.claim(db, { batchId: batch.id, id, ownerId: this.ownerId, silenceMs: this.silenceMs });
      if (!claimed) {
        // Another coordinator (or a second request here) took it first, or it completed meanwhile.
        throw (await exportJobStore.get(db, batch.id, id, this.silenceMs))?.state === "complete" ? complete(id) : running(id);
      }
      const job = this.run(recordOf(claimed));
      this.options.log.info({ export: id, batch: batch.id, actor, epoch: claimed.epoch }, "dataset export resumed");
      return this.info(job.record);
    } finally {
      release();
    }
  }

  /** Stops the running exports (each records itself interrupted, to resume later) and waits for them. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    const jobs = [...this.running.values()];
    for (const job of jobs) job.abort.abort();
    await Promise.all(jobs.map((job) => job.done));
  }

  /** Holds a place among the running exports until the job runs; the returned function gives it back. */
  private reserve(): () => void {
    if (this.closed) throw new ExportConflictError("this coordinator is shutting down; start the export again on another");
    if (this.running.size + this.reserved >= this.options.maxRunning) {
      throw new ExportConflictError(`this coordinator is running ${this.running.size} exports, its most at once; start this one when one has finished`);
    }
    this.reserved++;
    let released = false;
    return () => {
      if (!released) this.reserved--;
      released = true;
    };
  }

  private run(record: JobRecord): RunningJob {
    const job: RunningJob = { record: { ...record, state: "running" }, committedSamples: record.samples, abort: new AbortController(), lost: false, done: Promise.resolve(), lastPublishMs: 0 };
    this.running.set(record.id, job);
    job.done = this.execute(job);
    return job;
  }

  /** Runs the exporter for a job to its end, recording how it ended; never rejects. */
  private async execute(job: RunningJob): Promise<void> {
    const { record, abort } = job;
    const { request } = record;
    const fence = async () => {
      if (!(await this.beat(job))) throw new ExportTakenOverError(`export ${record.id} was taken over by another coordinator`);
    };
    const sink = new BucketSink(this.options.store, record.prefix, fence);
    let end: { state: "complete" | "failed" | "interrupted"; error: string } = { state: "interrupted", error: "" };
    try {
      // A resumed run starts where the last one's _stats.json says it got.
      const stats = await sink.get("_stats.json");
      const done = stats ? (JSON.parse(Buffer.from(stats).toString("utf8")) as ExportStats) : undefined;
      Object.assign(record, { samples: done?.samples ?? 0, shards: done?.shards.length ?? 0 });
      job.committedSamples = record.samples;
      this.publish(job, true);
      const result = await exportDataset(this.rows(abort.signal), sink, {
        batches: [record.batchId], format: request.format, shardItems: request.shardItems, minClipScore: request.minClipScore, includeRejected: request.includeRejected,
        onSample: (inShard) => {
          record.samples = job.committedSamples + inShard;
          this.publish(job, false);
        },
        onShard: (shard) => {
          job.committedSamples += shard.samples;
          record.samples = job.committedSamples;
          record.shards++;
          void this.beat(job);
          this.publish(job, true);
        },
      });
      Object.assign(record, { samples: result.stats.samples, shards: result.stats.shards.length, total: result.stats.samples });
      end = { state: "complete", error: "" };
    } catch (error) {
      if (!job.lost && !abort.signal.aborted) {
        end = { state: "failed", error: (error as Error).message };
        this.options.log.error({ err: error, export: record.id, batch: record.batchId }, "dataset export failed");
      }
      // Otherwise stopped by close() (resumable from its last whole shard, like a coordinator that died) or taken over.
    }
    if (!job.lost) {
      const finished = await exportJobStore.finish(this.options.db, { id: record.id, epoch: record.epoch, samples: record.samples, shards: record.shards, total: record.total, ...end })
        .catch((error: unknown) => {
          this.options.log.error({ err: error, export: record.id }, "export job's end not recorded; it reads as interrupted once its heartbeat is silent");
          return true;
        });
      job.lost = !finished;
    }
    this.running.delete(record.id);
    if (job.lost) {
      this.options.log.warn({ export: record.id, batch: record.batchId, epoch: record.epoch }, "dataset export taken over by another coordinator; this one stopped writing it");
      return;
    }
    Object.assign(record, { state: end.state, error: end.error, finishedAtMs: end.state === "complete" ? Date.now() : null });
    this.publish(job, true);
  }

  /**
   * Writes the run's heartbeat and progress under its epoch. False once
   * another coordinator holds the job: the run is marked lost and stopped.
   * A write that fails (the database is away) is not a loss: the next one
   * tries again, and a row silent for long enough is taken over anyway.
   */
  private async beat(job: RunningJob): Promise<boolean> {
    if (job.lost) return false;
    const { record } = job;
    try {
      if (await exportJobStore.beat(this.options.db, { id: record.id, epoch: record.epoch, samples: record.samples, shards: record.shards })) return true;
    } catch (error) {
      this.options.log.warn({ err: error, export: record.id }, "export heartbeat not written");
      return true;
    }
    // The row is no longer this run's: taken over, or (a beat that lands after the run's end) finished.
    if (this.running.get(record.id) === job) {
      job.lost = true;
      job.abort.abort();
    }
    return false;
  }

  /** The batch's rows in export order, page by page, with each image read from the bucket. */
  private rows(signal: AbortSignal): RowSource {
    const { db, store } = this.options;
    return async function* (query) {
      let after = query.after ? { index: query.after.index, key: query.after.objectKey } : null;
      for (;;) {
        signal.throwIfAborted();
        const page = await exportStore.page(db, { batchId: query.batchId, after, includeRejected: query.includeRejected, minClipScore: query.minClipScore, limit: ROWS_PER_PAGE });
        for (const row of page) {
          signal.throwIfAborted();
          yield {
            batchId: query.batchId, index: row.index, objectKey: row.key, prompt: row.prompt, negativePrompt: row.negativePrompt, seed: row.seed, model: row.model,
            width: row.width, height: row.height, steps: row.steps, guidance: row.guidance, sampler: row.sampler, options: row.options, sha256: row.sha256,
            bytes: row.bytes, clipScore: row.clipScore, accepted: row.accepted, fidelity: row.fidelity ?? null, axes: row.axes,
            image: () => store.get(row.key),
          };
        }
        if (page.length < ROWS_PER_PAGE) return;
        const last = page.at(-1)!;
        after = { index: last.index, key: last.key };
      }
    };
  }

  private publish(job: RunningJob, always: boolean): void {
    const now = Date.now();
    if (!always && now - job.lastPublishMs < this.options.publishEveryMs) return;
    job.lastPublishMs = now;
    const progress: ExportJobProgress = this.progress(job.record);
    this.options.bus.publish(subjects.batchExport(job.record.batchId), progress).catch((error: unknown) => this.options.log.warn({ err: error }, "export progress not published"));
  }

  private progress(record: JobRecord): ExportJobProgress {
    return {
      ...record.request, id: record.id, batchId: record.batchId, state: this.running.has(record.id) ? "running" : record.state,
      location: `s3://${this.options.store.bucket}/${record.prefix}`, startedBy: record.startedBy, startedAtMs: record.startedAtMs, finishedAtMs: record.finishedAtMs,
      total: record.total, samples: record.samples, shards: record.shards, error: record.error,
    };
  }

  private async info(record: JobRecord): Promise<ExportJobInfo> {
    const progress = this.progress(record);
    const files: ExportJobInfo["files"] = [];
    if (progress.state === "complete") {
      for await (const object of this.options.store.list(record.prefix)) {
        if (files.length === MAX_LISTED_FILES) break;
        const name = object.key.slice(record.prefix.length);
        files.push({ name, bytes: object.bytes, url: await this.options.store.presignGet(object.key, { expiresInMs: this.options.fileUrlTtlMs }) });
      }
      // _stats.json first: it names every shard, listed here or not.
      files.sort((a, b) => Number(b.name === "_stats.json") - Number(a.name === "_stats.json"));
    }
    return { ...progress, files };
  }
}

function recordOf(row: ExportJobRow): JobRecord {
  return { ...row, request: row.request as ExportRequest };
}

function running(id: string): ExportConflictError {
  return new ExportConflictError(`export ${id} is running; it can be resumed only once it has stopped`);
}

function complete(id: string): ExportConflictError {
  return new ExportConflictError(`export ${id} is complete; start a new one for other settings`);
}
