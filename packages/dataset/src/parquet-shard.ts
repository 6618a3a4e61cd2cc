import { parquetWriteBuffer, type ColumnSource } from "hyparquet-writer";
import type { ExportRow } from "./export-row.ts";
import { clipScoreOf, type SampleRecord } from "./sample-record.ts";

/**
 * Collects one shard's metadata, a row per sample, and writes it as a
 * Parquet file with LAION's columns (key, caption, width, height, sha256,
 * similarity, …) plus Atelier's (clip_score ×100, model hash, settings,
 * axis values as JSON). Memory holds one shard's metadata, never images.
 */
export class ParquetShard {
  private readonly columns = {
    key: [] as string[],
    caption: [] as string[],
    width: [] as number[],
    height: [] as number[],
    sha256: [] as string[],
    clip_score: [] as (number | null)[],
    similarity: [] as (number | null)[],
    seed: [] as bigint[],
    model: [] as string[],
    model_hash: [] as (string | null)[],
    sampler: [] as string[],
    steps: [] as number[],
    guidance: [] as number[],
    shard: [] as string[],
    axes: [] as (Record<string, unknown> | null)[],
    accepted: [] as boolean[],
    batch: [] as string[],
    item_index: [] as number[],
  };

  add(row: ExportRow, record: SampleRecord, shard: string): void {
    const c = this.columns;
    c.key.push(record.key);
    c.caption.push(record.caption);
    c.width.push(row.width);
    c.height.push(row.height);
    c.sha256.push(row.sha256);
    c.clip_score.push(clipScoreOf(row.clipScore));
    c.similarity.push(row.clipScore);
    c.seed.push(BigInt(row.seed));
    c.model.push(row.model);
    c.model_hash.push(record.modelHash);
    c.sampler.push(row.sampler);
    c.steps.push(row.steps);
    c.guidance.push(row.guidance);
    c.shard.push(shard);
    // The writer serialises a JSON column's values itself.
    c.axes.push(row.axes);
    c.accepted.push(row.accepted);
    c.batch.push(row.batchId);
    c.item_index.push(row.index);
  }

  /** The Parquet file: one row group, no timestamps, so the same rows give the same bytes. */
  encode(): Uint8Array {
    const c = this.columns;
    const columnData: ColumnSource[] = [
      { name: "key", data: c.key, type: "STRING", nullable: false },
      { name: "caption", data: c.caption, type: "STRING", nullable: false },
      { name: "width", data: c.width, type: "INT32", nullable: false },
      { name: "height", data: c.height, type: "INT32", nullable: false },
      { name: "sha256", data: c.sha256, type: "STRING", nullable: false },
      { name: "clip_score", data: c.clip_score, type: "DOUBLE" },
      { name: "similarity", data: c.similarity, type: "DOUBLE" },
      { name: "seed", data: c.seed, type: "INT64", nullable: false },
      { name: "model", data: c.model, type: "STRING", nullable: false },
      { name: "model_hash", data: c.model_hash, type: "STRING" },
      { name: "sampler", data: c.sampler, type: "STRING", nullable: false },
      { name: "steps", data: c.steps, type: "INT32", nullable: false },
      { name: "guidance", data: c.guidance, type: "DOUBLE", nullable: false },
      { name: "shard", data: c.shard, type: "STRING", nullable: false },
      { name: "axes", data: c.axes, type: "JSON" },
      { name: "accepted", data: c.accepted, type: "BOOLEAN", nullable: false },
      { name: "batch", data: c.batch, type: "STRING", nullable: false },
      { name: "item_index", data: c.item_index, type: "INT32", nullable: false },
    ];
    return new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: Math.max(c.key.length, 1), createdBy: "atelier export" }));
  }
}
