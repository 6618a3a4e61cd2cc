import { createHash } from "node:crypto";
import { unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ExportCursor, RowSource, SourceRow } from "./export-row.ts";
import type { ExportSink } from "./export-sink.ts";
import { ParquetShard } from "./parquet-shard.ts";
import { sampleRecord } from "./sample-record.ts";
import { TarShardWriter } from "./tar-shard.ts";

export const EXPORT_FORMATS = ["webdataset", "parquet", "both"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
const STATS_FILE = "_stats.json";
export const MAX_SHARD_ITEMS = 100_000;

/** What an export is of; a resumed export must ask for the same. */
export interface ExportSpec {
  batches: string[];
  format: ExportFormat;
  shardItems: number;
  minClipScore: number | null;
  includeRejected: boolean;
}

export interface ShardStats {
  shard: string;
  samples: number;
  accepted: number;
  rejected: number;
  imageBytes: number;
  firstKey: string;
  lastKey: string;
  /** where the next shard starts */
  resumeAfter: ExportCursor;
}

/** `_stats.json`: the spec, counts per shard and in all; `complete` once the last shard is in. */
export interface ExportStats extends ExportSpec {
  complete: boolean;
  samples: number;
  accepted: number;
  rejected: number;
  imageBytes: number;
  shards: ShardStats[];
}

export interface ExportRun {
  stats: ExportStats;
  /** shards already there from an earlier, interrupted run */
  resumedShards: number;
}

export interface ExportOptions extends ExportSpec {
  /** images fetched ahead of the one being written */
  prefetch?: number;
  /** called as each shard is committed */
  onShard?: (shard: ShardStats) => void;
  /** called as each sample is written into the open shard, with that shard's count so far */
  onSample?: (samplesInShard: number) => void;
}

/** An export that cannot start as asked: the message names the field and what it must be. */
export class ExportOptionError extends Error {}

/**
 * Exports the outputs of `batches` as shards of `shardItems` samples into
 * `sink`. It streams: memory holds one shard's metadata and a few images.
 * It resumes: `_stats.json` lists each committed shard with the cursor of
 * its last row, and a new run with the same spec continues after the last
 * one. It repeats itself: samples come in a fixed order with fixed tar
 * headers and Parquet settings, so the same rows give the same bytes.
 */
export async function exportDataset(source: RowSource, sink: ExportSink, options: ExportOptions): Promise<ExportRun> {
  const spec = checkSpec(options);
  let open: OpenShard | undefined;
  try {
    const stats = await resumeOrStart(sink, spec);
    const resumedShards = stats.shards.length;
    if (stats.complete) return { stats, resumedShards };
    const staging = await sink.staging();
    const commit = async (shard: OpenShard) => {
      const done = await shard.finish(sink);
      stats.shards.push(done);
      stats.samples += done.samples;
      stats.accepted += done.accepted;
      stats.rejected += done.rejected;
      stats.imageBytes += done.imageBytes;
      await sink.put(STATS_FILE, encodeStats(stats));
      options.onShard?.(done);
    };
    const cursor = stats.shards.at(-1)?.resumeAfter;
    for (let batch = cursor?.batch ?? 0; batch < spec.batches.length; batch++) {
      const after = cursor && batch === cursor.batch ? { index: cursor.index, objectKey: cursor.objectKey } : null;
      const rows = source({ batchId: spec.batches[batch]!, after, minClipScore: spec.minClipScore, includeRejected: spec.includeRejected });
      for await (const { row, png } of withImages(rows, options.prefetch ?? 8)) {
        open ??= new OpenShard(shardName(stats.shards.length), staging, spec.format);
        await open.add(row, png, batch);
        options.onSample?.(open.samples);
        if (open.samples === spec.shardItems) {
          await commit(open);
          open = undefined;
        }
      }
    }
    if (open) await commit(open);
    open = undefined;
    stats.complete = true;
    await sink.put(STATS_FILE, encodeStats(stats));
    return { stats, resumedShards };
  } finally {
    await open?.abort();
    await sink.close();
  }
}

function shardName(n: number): string {
  return String(n).padStart(6, "0");
}

function checkSpec(options: ExportOptions): ExportSpec {
  const problems: string[] = [];
  if (options.batches.length === 0) problems.push("batches: name at least one batch");
  if (!EXPORT_FORMATS.includes(options.format)) problems.push(`format must be one of ${EXPORT_FORMATS.join(", ")} (got ${JSON.stringify(options.format)})`);
  if (!Number.isInteger(options.shardItems) || options.shardItems < 1 || options.shardItems > MAX_SHARD_ITEMS) {
    problems.push(`shard items must be a whole number from 1 to ${MAX_SHARD_ITEMS} (got ${options.shardItems})`);
  }
  if (options.minClipScore !== null && !(options.minClipScore >= -1 && options.minClipScore <= 1)) {
    problems.push(`min clip score is a cosine similarity, from -1 to 1 (got ${options.minClipScore})`);
  }
  if (problems.length) throw new ExportOptionError(problems.join("; "));
  const { batches, format, shardItems, minClipScore, includeRejected } = options;
  return { batches: [...batches], format, shardItems, minClipScore, includeRejected };
}

async function resumeOrStart(sink: ExportSink, spec: ExportSpec): Promise<ExportStats> {
  const bytes = await sink.get(STATS_FILE);
  if (!bytes) return { ...spec, complete: false, samples: 0, accepted: 0, rejected: 0, imageBytes: 0, shards: [] };
  const previous = JSON.parse(Buffer.from(bytes).toString("utf8")) as ExportStats;
  const theirs: ExportSpec = { batches: previous.batches, format: previous.format, shardItems: previous.shardItems, minClipScore: previous.minClipScore, includeRejected: previous.includeRejected };
  if (JSON.stringify(theirs) !== JSON.stringify(spec)) {
    throw new ExportOptionError(`${sink.location} holds an export of other settings (${JSON.stringify(theirs)}); resume it with those, or export to another --out`);
  }
  return previous;
}

function encodeStats(stats: ExportStats): Uint8Array {
  return Buffer.from(`${JSON.stringify(stats, null, 2)}\n`);
}

/** Rows with their images, in order, with up to `ahead` downloads running ahead of the consumer. */
async function* withImages(rows: AsyncIterable<SourceRow>, ahead: number): AsyncGenerator<{ row: SourceRow; png: Uint8Array }> {
  const queue: { row: SourceRow; png: Promise<Uint8Array> }[] = [];
  for await (const row of rows) {
    const png = row.image();
    // Awaited in turn below; until then a failure must not count as unhandled.
    png.catch(() => undefined);
    queue.push({ row, png });
    if (queue.length > ahead) {
      const next = queue.shift()!;
      yield { row: next.row, png: await next.png };
    }
  }
  for (const next of queue) yield { row: next.row, png: await next.png };
}

/** A shard being written: its tar on local disk, its Parquet rows in memory. */
class OpenShard {
  samples = 0;
  private accepted = 0;
  private imageBytes = 0;
  private firstKey = "";
  private lastKey = "";
  private last: ExportCursor | undefined;
  private readonly tar: TarShardWriter | undefined;
  private readonly tarPath: string;
  private readonly parquet: ParquetShard | undefined;

  constructor(
    readonly name: string,
    private readonly staging: string,
    format: string,
  ) {
    this.tarPath = join(staging, `${name}.tar`);
    this.tar = format === "parquet" ? undefined : new TarShardWriter(this.tarPath);
    this.parquet = format === "webdataset" ? undefined : new ParquetShard();
  }

  async add(row: SourceRow, png: Uint8Array, batch: number): Promise<void> {
    const sha256 = createHash("sha256").update(png).digest("hex");
    if (sha256 !== row.sha256) throw new Error(`the image of ${row.objectKey} has sha256 ${sha256}, but its output row records ${row.sha256}`);
    const record = sampleRecord(row, png, this.name);
    await this.tar?.add(record.key, [
      ["png", png],
      ["txt", Buffer.from(record.caption)],
      ["json", Buffer.from(JSON.stringify(record.json))],
    ]);
    this.parquet?.add(row, record, this.name);
    if (this.samples === 0) this.firstKey = record.key;
    this.lastKey = record.key;
    this.samples++;
    if (row.accepted) this.accepted++;
    this.imageBytes += png.byteLength;
    this.last = { batch, index: row.index, objectKey: row.objectKey };
  }

  async finish(sink: ExportSink): Promise<ShardStats> {
    if (this.tar) {
      await this.tar.close();
      await sink.commit(`${this.name}.tar`, this.tarPath);
    }
    if (this.parquet) {
      const path = join(this.staging, `${this.name}.parquet`);
      await writeFile(path, this.parquet.encode());
      await sink.commit(`${this.name}.parquet`, path);
    }
    return {
      shard: this.name,
      samples: this.samples,
      accepted: this.accepted,
      rejected: this.samples - this.accepted,
      imageBytes: this.imageBytes,
      firstKey: this.firstKey,
      lastKey: this.lastKey,
      resumeAfter: this.last!,
    };
  }

  async abort(): Promise<void> {
    await this.tar?.abort();
    await unlink(this.tarPath).catch(() => undefined);
  }
}
