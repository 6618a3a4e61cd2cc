import type { Database } from "../open-database.ts";

/** One output with what a dataset export writes about it. */
export interface ExportStoreRow {
  index: number;
  key: string;
  prompt: string;
  negativePrompt: string;
  seed: number;
  model: string;
  width: number;
  height: number;
  steps: number;
  guidance: number;
  sampler: string;
  options: Record<string, unknown>;
  sha256: string;
  bytes: number;
  clipScore: number | null;
  accepted: boolean;
  fidelity: unknown;
  axes: Record<string, string> | null;
}

export interface ExportPageQuery {
  batchId: string;
  /** the last row of the previous page (item index, object key); null: from the first */
  after: { index: number; key: string } | null;
  includeRejected: boolean;
  /** CLIP similarity at least this; null: any, scored or not */
  minClipScore: number | null;
  limit: number;
}

export const exportStore = {
  /**
   * One page of a batch's outputs in export order: item index, then object
   * key (a quality gate's attempts at one item differ in seed, so in key;
   * each attempt's seed is its output's, the item's before re-rolls).
   * "After (index, key)" is spelled index >= i AND (index > i OR key > k)
   * rather than as a row comparison, which Postgres cannot push into the
   * (batch_id, index) index of item: each page would scan the batch from
   * its start (at 100,000 outputs, 200 ms a page instead of a few).
   */
  async page(db: Database, query: ExportPageQuery): Promise<ExportStoreRow[]> {
    const rows = await db.query<Omit<ExportStoreRow, "seed"> & { seed: string }>(
      `SELECT i.index, o.key, i.prompt, i.negative_prompt AS "negativePrompt", coalesce(o.seed, i.seed)::text AS seed, i.model,
              o.width, o.height, i.steps, i.guidance, i.sampler, i.options, o.sha256, o.bytes,
              o.clip_score AS "clipScore", o.accepted, o.fidelity, i.axes
       FROM item i JOIN output o ON o.item_id = i.id
       WHERE i.batch_id = $1 AND i.index >= $2::int AND (i.index > $2::int OR o.key > $3::text)
         AND ($4::boolean OR o.accepted)
         -- A quarantined image (the safety checker flagged it; no admin has released it) is never exported.
         AND NOT o.quarantined
         AND ($5::float8 IS NULL OR o.clip_score >= $5::float8)
       ORDER BY i.index, o.key
       LIMIT $6`,
      [query.batchId, query.after?.index ?? -1, query.after?.key ?? "", query.includeRejected, query.minClipScore, query.limit],
    );
    return rows.map((row) => ({ ...row, seed: Number(row.seed), axes: row.axes && Object.keys(row.axes).length > 0 ? row.axes : null }));
  },

  /** How many outputs an export of the batch with these filters takes: the total its progress counts toward. */
  async count(db: Database, query: Omit<ExportPageQuery, "after" | "limit">): Promise<number> {
    const rows = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM output o
       WHERE o.batch_id = $1 AND ($2::boolean OR o.accepted) AND NOT o.quarantined
         AND ($3::float8 IS NULL OR o.clip_score >= $3::float8)`,
      [query.batchId, query.includeRejected, query.minClipScore],
    );
    return Number(rows[0]?.n ?? 0);
  },
};
