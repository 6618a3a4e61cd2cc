// The sweep grid's and the server-side dataset exports' part of the
// dashboard's API (api-types.ts lists their routes and re-exports these).

/** One axis of a plan's sweep: its name (x, y, z), the setting it varies and its values in order. */
export interface SweepAxisInfo {
  name: string;
  setting: string;
  values: string[];
}

/**
 * GET /api/batches/:id/sweep: the batch's plan axes (empty outside a sweep).
 * GET /api/batches/:id/grid?z=N answers page N's grid as a PNG.
 */
export interface SweepResponse {
  axes: SweepAxisInfo[];
}

export type ExportFormatName = "webdataset" | "parquet" | "both";

/** POST /api/batches/:id/exports: what to export (`atelier export`'s options). */
export interface ExportRequest {
  format: ExportFormatName;
  shardItems: number;
  /** CLIP cosine similarity at least this; null: every output. */
  minClipScore: number | null;
  includeRejected: boolean;
}

/**
 * "interrupted": its coordinator stopped before it finished (it resumes
 * after its last whole shard); "failed": it stopped on an error.
 */
export type ExportJobState = "running" | "complete" | "failed" | "interrupted";

/** A server-side export of a batch into the farm's bucket, and how far it got. */
export interface ExportJobProgress extends ExportRequest {
  id: string;
  batchId: string;
  state: ExportJobState;
  /** s3://bucket/prefix/ of its shards and _stats.json */
  location: string;
  startedBy: string;
  startedAtMs: number;
  finishedAtMs: number | null;
  /** samples the export takes */
  total: number;
  /** samples written, in whole shards and the one being written */
  samples: number;
  /** whole shards committed */
  shards: number;
  error: string;
}

/** With presigned links to its files once it is complete. */
export interface ExportJobInfo extends ExportJobProgress {
  files: { name: string; bytes: number; url: string }[];
}

/** GET /api/batches/:id/exports: newest first. */
export interface ExportsResponse {
  exports: ExportJobInfo[];
}
