// Dataset export: WebDataset tar shards and Parquet metadata from a stream
// of outputs. `atelier export` feeds it from the Farm API; a coordinator can
// feed it from its database and bucket. The S3 sink is its own entry
// (@atelier/dataset/s3), loaded only for an s3:// destination.
export { exportDataset, EXPORT_FORMATS, ExportOptionError, MAX_SHARD_ITEMS, type ExportFormat, type ExportOptions, type ExportRun, type ExportSpec, type ExportStats, type ShardStats } from "./dataset-export.ts";
export type { ExportCursor, ExportRow, RowQuery, RowSource, SourceRow } from "./export-row.ts";
export { DirectorySink, localStaging, type ExportSink } from "./export-sink.ts";
