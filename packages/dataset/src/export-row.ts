/**
 * Terms of a dataset export. A *sample* is one output image with its caption
 * and metadata; a *shard* holds up to `shardItems` samples in export order
 * (batches in the order given, then item index, then object key). The same
 * rows and options always give the same shards, byte for byte.
 */

/** One output as an export reads it, whoever serves it (the Farm API or the database). */
export interface ExportRow {
  batchId: string;
  /** the item's index in its batch */
  index: number;
  /** where the image lives in the farm's bucket; unique */
  objectKey: string;
  prompt: string;
  negativePrompt: string;
  seed: number;
  model: string;
  width: number;
  height: number;
  steps: number;
  guidance: number;
  sampler: string;
  /** render options beyond the columns above, only those set (seed source, clip skip, hires…) */
  options: Record<string, unknown>;
  sha256: string;
  bytes: number;
  /** CLIP cosine similarity of image and caption (LAION's `similarity`); null when not scored */
  clipScore: number | null;
  /** false for an attempt the quality gate rejected */
  accepted: boolean;
  /** the prompt-fidelity record ({matchesOwn, own, counters}); null when not checked */
  fidelity: unknown;
  /** the item's axis values in a sweep; null outside one */
  axes: Record<string, unknown> | null;
}

/** A row with the means to read its image. */
export interface SourceRow extends ExportRow {
  image(): Promise<Uint8Array>;
}

/** Where a resumed export picks up: after this output of the batch at `batch` (its position in the list). */
export interface ExportCursor {
  batch: number;
  index: number;
  objectKey: string;
}

/** Which rows of a batch an export takes. */
export interface RowQuery {
  batchId: string;
  /** only the rows after this one (a resumed export); null: from the first */
  after: { index: number; objectKey: string } | null;
  /** only rows with a CLIP similarity at least this; null: any, scored or not */
  minClipScore: number | null;
  /** also the attempts a quality gate rejected */
  includeRejected: boolean;
}

/** Serves the rows a query selects in export order: item index, then object key. */
export type RowSource = (query: RowQuery) => AsyncIterable<SourceRow>;
