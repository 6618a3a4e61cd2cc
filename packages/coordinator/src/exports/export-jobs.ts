import { randomBytes, randomUUID } from "node:crypto";
import { exportDataset, type ExportStats, type RowSource } from "@atelier/dataset";
import { exportStore, type Database } from "@atelier/db";
import type { Logger } from "@atelier/common";
import type { ExportJobInfo, ExportJobProgress, ExportRequest } from "@atelier/dashboard/api-types";
import { subjects, type EventBus } from "../events/index.ts";
import type { ObjectStore } from "../storage/index.ts";
import { BucketSink } from "./bucket-sink.ts";

/**
 * A job's record, kept in the bucket beside its shards: the shards'
 * `_stats.json` is already the truth of how far an export got (the exporter
 * resumes from it), and the record adds who started it, when, and whether a
 * coordinator is still at it (its heartbeat).
 */
interface JobRecord {
  id: string;
  batchId: string;
  tenantId: string;
  request: ExportRequest;
  /** key prefix of its files, ending in "/" */
  prefix: string;
  startedBy: string;
  startedAtMs: number;
  /** the coordinator process running it; a new one on every start */
  ownerId: string;
  heartbeatAtMs: number;
  state: "running" | "complete" | "failed" | "interrupted";
  finishedAtMs: number | null;
  total: number;
  samples: number;
  shards: number;
  error: string;
}

interface RunningJob {
  record: JobRecord;
  /** samples in whole shards; `record.samples` adds the open shard's */
  committedSamples: number;
  abort: AbortController;
  done: Promise<void>;
  lastPublishMs: number;
}

export interface ExportJobsOptions {
  db: Database;
  store: ObjectStore;
  bus: EventBus;
  log: Logger;
  /** How often a running job's record is refreshed; a record silent for three of these is interrupted. */
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
 * serves it.
 */
export class ExportJobs {
  private readonly running = new Map<string, RunningJob>();
  private readonly writes = new Map<string, Promise<void>>();
  private readonly ownerId = randomUUID();
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: ExportJobsOptions) {
    this.heartbeat = setInterval(() => void this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  static isJobId(id: string): boolean {
    return JOB_ID.test(id);
  }

  /** The batch's exports, newest first, each with links to its files once complete. */
  async list(batch: ExportBatch): Promise<ExportJobInfo[]> {
    const records: JobRecord[] = [];
    for await (const object of this.options.store.list(recordsPrefix(batch))) {
      if (!object.key.endsWith(".json")) continue;
      const running = this.running.get(object.key.slice(recordsPrefix(batch).length, -".json".length));
      records.push(running ? running.record : await this.read(object.key));
    }
    records.sort((a, b) => b.id.localeCompare(a.id));
    return Promise.all(records.map((record) => this.info(record)));
  }

  async get(batch: ExportBatch, id: string): Promise<ExportJobInfo | undefined> {
    const running = this.running.get(id);
    if (running) return this.info(running.record);
    const key = recordKey(batch, id);
    if (!(await this.options.store.head(key))) return undefined;
    return this.info(await this.read(key));
  }

  /** Starts an export of a finished batch; the request was checked by the route. */
  async start(batch: ExportBatch, request: ExportRequest, actor: string): Promise<ExportJobInfo> {
    this.checkCapacity();
    const id = `${new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`;
    const total = await exportStore.count(this.options.db, { batchId: batch.id, includeRejected: request.includeRejected, minClipScore: request.minClipScore });
    const now = Date.now();
    const record: JobRecord = {
      id, batchId: batch.id, tenantId: batch.tenantId, request, prefix: `${batch.tenantId}/${batch.id}/exports/${id}/`,
      startedBy: actor, startedAtMs: now, ownerId: this.ownerId, heartbeatAtMs: now, state: "running", finishedAtMs: null, total, samples: 0, shards: 0, error: "",
    };
    // Checked again after the count: another start may have taken the last place meanwhile.
    this.checkCapacity();
    this.run(record, 0);
    await this.write(record);
    return this.info(record);
  }

  /** Continues an interrupted or failed export after its last whole shard. */
  async resume(batch: ExportBatch, id: string, actor: string): Promise<ExportJobInfo | undefined> {
    const key = recordKey(batch, id);
    if (!(await this.options.store.head(key))) return undefined;
    const record = await this.read(key);
    if (this.running.has(id) || (record.state === "running" && stateOf(record, this.options.heartbeatMs) === "running")) {
      throw new ExportConflictError(`export ${id} is running; it can be resumed only once it has stopped`);
    }
    if (record.state === "complete") throw new ExportConflictError(`export ${id} is complete; start a new one for other settings`);
    this.checkCapacity();
    const stats = await new BucketSink(this.options.store, record.prefix).get("_stats.json");
    const done = stats ? (JSON.parse(Buffer.from(stats).toString("utf8")) as ExportStats) : undefined;
    // A second resume of the same export may have got here meanwhile.
    if (this.running.has(id)) throw new ExportConflictError(`export ${id} is running; it can be resumed only once it has stopped`);
    Object.assign(record, {
      ownerId: this.ownerId, heartbeatAtMs: Date.now(), state: "running", finishedAtMs: null, error: "",
      samples: done?.samples ?? 0, shards: done?.shards.length ?? 0,
    });
    this.run(record, record.samples);
    await this.write(record);
    this.options.log.info({ export: id, batch: batch.id, actor, shards: record.shards }, "dataset export resumed");
    return this.info(record);
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

  private checkCapacity(): void {
    if (this.closed) throw new ExportConflictError("this coordinator is shutting down; start the export again on another");
    if (this.running.size >= this.options.maxRunning) {
      throw new ExportConflictError(`this coordinator is running ${this.running.size} exports, its most at once; start this one when one has finished`);
    }
  }

  private run(record: JobRecord, committedSamples: number): void {
    const job: RunningJob = { record, committedSamples, abort: new AbortController(), done: Promise.resolve(), lastPublishMs: 0 };
    this.running.set(record.id, job);
    job.done = this.execute(job);
  }

  /** Runs the exporter for a job to its end, recording how it ended; never rejects. */
  private async execute(job: RunningJob): Promise<void> {
    const { record, abort } = job;
    const { request } = record;
    try {
      const result = await exportDataset(this.rows(abort.signal), new BucketSink(this.options.store, record.prefix), {
        batches: [record.batchId], format: request.format, shardItems: request.shardItems, minClipScore: request.minClipScore, includeRejected: request.includeRejected,
        onSample: (inShard) => {
          record.samples = job.committedSamples + inShard;
          this.publish(job, false);
        },
        onShard: (shard) => {
          job.committedSamples += shard.samples;
          record.samples = job.committedSamples;
          record.shards++;
          record.heartbeatAtMs = Date.now();
          this.write(record).catch((error: unknown) => this.options.log.warn({ err: error, export: record.id }, "export record not updated; the next shard tries again"));
          this.publish(job, true);
        },
      });
      Object.assign(record, { state: "complete", samples: result.stats.samples, shards: result.stats.shards.length, total: result.stats.samples, finishedAtMs: Date.now() });
    } catch (error) {
      // Stopped by close(): resumable from its last whole shard, like a coordinator that died.
      record.state = abort.signal.aborted ? "interrupted" : "failed";
      record.error = abort.signal.aborted ? "" : (error as Error).message;
      if (!abort.signal.aborted) this.options.log.error({ err: error, export: record.id, batch: record.batchId }, "dataset export failed");
    }
    record.heartbeatAtMs = Date.now();
    await this.write(record).catch((error: unknown) => this.options.log.error({ err: error, export: record.id }, "export record not written"));
    this.running.delete(record.id);
    this.publish(job, true);
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

  private async beat(): Promise<void> {
    for (const job of this.running.values()) {
      job.record.heartbeatAtMs = Date.now();
      await this.write(job.record).catch((error: unknown) => this.options.log.warn({ err: error, export: job.record.id }, "export heartbeat not written"));
    }
  }

  private progress(record: JobRecord): ExportJobProgress {
    return {
      ...record.request, id: record.id, batchId: record.batchId, state: this.running.has(record.id) ? "running" : stateOf(record, this.options.heartbeatMs),
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

  private async read(key: string): Promise<JobRecord> {
    return JSON.parse(Buffer.from(await this.options.store.get(key)).toString("utf8")) as JobRecord;
  }

  /** Writes a record after any write of it still under way, so that a late heartbeat never lands over the final state. */
  private write(record: JobRecord): Promise<void> {
    const previous = this.writes.get(record.id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() =>
      this.options.store.put(recordKey({ id: record.batchId, tenantId: record.tenantId }, record.id), Buffer.from(JSON.stringify(record)), "application/json"));
    this.writes.set(record.id, next);
    void next.finally(() => {
      if (this.writes.get(record.id) === next) this.writes.delete(record.id);
    }).catch(() => undefined);
    return next;
  }
}

/** A record that says running but whose coordinator has been silent for three heartbeats was interrupted (the process died). */
function stateOf(record: JobRecord, heartbeatMs: number): JobRecord["state"] {
  if (record.state === "running" && Date.now() - record.heartbeatAtMs > 3 * heartbeatMs) return "interrupted";
  return record.state;
}

// Beside the batch's images, under its tenant's prefix: tenant isolation holds, and removing the batch removes them.
function recordsPrefix(batch: ExportBatch): string {
  return `${batch.tenantId}/${batch.id}/export-jobs/`;
}

function recordKey(batch: ExportBatch, id: string): string {
  return `${recordsPrefix(batch)}${id}.json`;
}
