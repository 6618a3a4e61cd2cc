import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { configFields } from "@atelier/common";
import { DirectorySink, EXPORT_FORMATS, exportDataset, ExportOptionError, MAX_SHARD_ITEMS, type ExportSink, type RowQuery, type SourceRow } from "@atelier/dataset";
import type { AtelierClient } from "@atelier/sdk";
import { z } from "zod";
import { CliError } from "../cli-error.ts";
import { connect, COORDINATOR_OPTION } from "../client-options.ts";
import { parseFlags } from "../flags.ts";

export const EXPORT_USAGE = "usage: atelier export BATCH... --out DIR|s3://bucket/prefix [--format webdataset|parquet|both] [--shard-items N] [--min-clip-score X] [--include-rejected]";

const exportFlags = z.object({
  /** A directory, or s3://bucket/prefix (credentials and endpoint from the AWS SDK's environment). */
  out: z.string({ error: `is missing: a directory or s3://bucket/prefix (${EXPORT_USAGE})` }).min(1),
  format: z.enum(EXPORT_FORMATS, { error: `must be one of ${EXPORT_FORMATS.join(", ")}` }).default("both"),
  /** Samples per shard. */
  "shard-items": configFields.integer(1, MAX_SHARD_ITEMS).default(1000),
  /** Only outputs whose CLIP similarity (cosine, as LAION's 0.28) is at least this. */
  "min-clip-score": z.coerce.number({ error: "must be a cosine similarity from -1 to 1" }).min(-1, { error: "must be a cosine similarity from -1 to 1" }).max(1, { error: "must be a cosine similarity from -1 to 1" }).optional(),
});

// Signed per row as the coordinator sends it; the stream waits while the
// exporter is behind, so an hour covers what gRPC holds in its buffers.
const URL_TTL_MS = 3_600_000;

/**
 * `atelier export`: a dataset from finished batches, as WebDataset shards
 * and/or Parquet, through the API with just a token. Run again with the same
 * options after an interruption, it continues after the last whole shard.
 */
export async function exportCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COORDINATOR_OPTION, out: { type: "string" }, format: { type: "string" }, "shard-items": { type: "string" }, "min-clip-score": { type: "string" }, "include-rejected": { type: "boolean" } },
  });
  if (positionals.length === 0) throw new CliError(EXPORT_USAGE, 2);
  const flags = parseFlags("export", exportFlags, { out: values.out, format: values.format, "shard-items": values["shard-items"], "min-clip-score": values["min-clip-score"] });
  const client = connect(values);
  const sink = await sinkFor(flags.out);
  try {
    const started = performance.now();
    const run = await exportDataset((query) => rowsFromApi(client, query), sink, {
      batches: positionals,
      format: flags.format,
      shardItems: flags["shard-items"],
      minClipScore: flags["min-clip-score"] ?? null,
      includeRejected: values["include-rejected"] ?? false,
      onShard: (shard) => console.log(`shard ${shard.shard}: ${shard.samples} samples (${shard.rejected} rejected), ${megabytes(shard.imageBytes)} of images`),
    });
    const { stats, resumedShards } = run;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const resumed = resumedShards > 0 ? `, ${resumedShards} of them from an earlier run` : "";
    console.log(`${stats.samples} samples (${stats.accepted} accepted, ${stats.rejected} rejected) in ${stats.shards.length} shard${stats.shards.length === 1 ? "" : "s"}${resumed} at ${sink.location} in ${seconds} s; counts per shard in _stats.json`);
  } catch (error) {
    if (error instanceof ExportOptionError) throw new CliError(error.message, 2);
    throw error;
  } finally {
    client.close();
  }
}

async function sinkFor(out: string): Promise<ExportSink> {
  if (!out.startsWith("s3://")) return new DirectorySink(resolve(out));
  // The user's own bucket, with the AWS SDK's own settings (AWS_ACCESS_KEY_ID…,
  // AWS_REGION, AWS_ENDPOINT_URL_S3 for an S3-compatible server).
  const { S3Sink, parseS3Address } = await import("@atelier/dataset/s3");
  if (!parseS3Address(out)) throw new CliError(`--out ${JSON.stringify(out)} is not an s3://bucket/prefix address`, 2);
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  // Servers other than AWS (MinIO, Ceph, s3rver) want path-style addresses.
  return new S3Sink(out, { region: process.env.AWS_REGION ?? "us-east-1", ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
}

async function* rowsFromApi(client: AtelierClient, query: RowQuery): AsyncGenerator<SourceRow> {
  const rows = client.exportOutputs({
    batchId: query.batchId,
    afterIndex: query.after?.index ?? 0,
    afterKey: query.after?.objectKey ?? "",
    includeRejected: query.includeRejected,
    hasMinClipScore: query.minClipScore !== null,
    minClipScore: query.minClipScore ?? 0,
    urlTtlMs: URL_TTL_MS,
  });
  for await (const row of rows) {
    const url = row.url;
    yield {
      batchId: query.batchId, index: Number(row.index), objectKey: row.key, prompt: row.prompt, negativePrompt: row.negativePrompt,
      seed: Number(row.seed), model: row.model, width: row.width, height: row.height, steps: row.steps, guidance: row.guidance, sampler: row.sampler,
      options: JSON.parse(row.optionsJson || "{}") as Record<string, unknown>, sha256: row.sha256, bytes: Number(row.bytes),
      clipScore: row.hasClipScore ? row.clipScore : null, accepted: row.accepted, fidelity: row.fidelityJson ? (JSON.parse(row.fidelityJson) as unknown) : null,
      axes: Object.keys(row.axes).length > 0 ? row.axes : null,
      image: () => download(url, row.key),
    };
  }
}

async function download(url: string, key: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`download of ${key} failed with HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function megabytes(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
