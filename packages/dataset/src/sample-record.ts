import { readPngText } from "@atelier/diffusion/png";
import type { ExportRow } from "./export-row.ts";

// The text keyword under which the pipeline writes its provenance JSON
// (diffusion's PROVENANCE_KEYWORD, exported beside onnxruntime code that an
// exporter has no use for).
const PROVENANCE_KEYWORD = "atelier";
const PROVENANCE_MAX_BYTES = 64 * 1024;

/** What an export writes for one sample, beside its PNG. */
export interface SampleRecord {
  key: string;
  caption: string;
  /** the sample's JSON, every setting and score */
  json: Record<string, unknown>;
  modelHash: string | null;
}

/**
 * A sample's key: batch, item index and seed, which tell the sample's source
 * and stay unique when a gate keeps several attempts of one item. No dots,
 * since WebDataset splits a file name at its first one.
 */
function sampleKey(row: Pick<ExportRow, "batchId" | "index" | "seed">): string {
  return `${row.batchId}_${String(row.index).padStart(8, "0")}_${row.seed}`;
}

/** torchmetrics' CLIPScore: 100 × the cosine similarity, floored at 0. */
export function clipScoreOf(similarity: number | null): number | null {
  return similarity === null ? null : Math.max(100 * similarity, 0);
}

/**
 * The sample's metadata. The model hash comes from the image's own
 * provenance chunk (what rendered it), the rest from the row. Key order is
 * fixed so that the same row gives the same bytes.
 */
export function sampleRecord(row: ExportRow, png: Uint8Array, shard: string): SampleRecord {
  const provenance = parseProvenance(readPngText(png, { maxTextBytes: PROVENANCE_MAX_BYTES })[PROVENANCE_KEYWORD]);
  const modelHash = typeof provenance?.modelHash === "string" ? provenance.modelHash : null;
  const key = sampleKey(row);
  const json = {
    key,
    shard,
    batch: row.batchId,
    index: row.index,
    caption: row.prompt,
    negative_prompt: row.negativePrompt,
    seed: row.seed,
    seed_source: typeof row.options.seedSource === "string" ? row.options.seedSource : "atelier",
    model: row.model,
    model_hash: modelHash,
    sampler: row.sampler,
    steps: row.steps,
    guidance: row.guidance,
    width: row.width,
    height: row.height,
    options: row.options,
    sha256: row.sha256,
    bytes: row.bytes,
    similarity: row.clipScore,
    clip_score: clipScoreOf(row.clipScore),
    accepted: row.accepted,
    fidelity: row.fidelity ?? null,
    axes: row.axes,
    object_key: row.objectKey,
    provenance: provenance ?? null,
  };
  return { key, caption: row.prompt, json, modelHash };
}

function parseProvenance(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
