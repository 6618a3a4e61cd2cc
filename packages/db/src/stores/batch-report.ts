import type { Database } from "../open-database.ts";

/** A batch's CLIP figures (BatchReport in proto/farm.proto), from its item and output rows. */
export interface BatchReportRow {
  items: number;
  /** items whose image was accepted (every done item: without a gate, every image is) */
  acceptedItems: number;
  /** items whose every attempt stayed below the quality gate */
  exhaustedItems: number;
  /** every attempt recorded, accepted or not */
  outputs: number;
  rejectedOutputs: number;
  /** rejectedOutputs / outputs; 0 without outputs */
  rejectedShare: number;
  scoredOutputs: number;
  /** of every scored output: minimum, 10th..90th percentile (linear interpolation), maximum; empty when none is scored */
  scoreDeciles: number[];
  /** accepted outputs with a fidelity check, and those whose own prompt scored best */
  fidelityChecked: number;
  fidelityMatched: number;
  /** fidelityMatched / fidelityChecked; 0 when none was checked */
  fidelityRate: number;
}

const DECILES = Array.from({ length: 11 }, (_, i) => i / 10);

export const batchReport = {
  /** The report of one batch, in one statement; undefined when there is no such batch. */
  async of(db: Database, batchId: string): Promise<BatchReportRow | undefined> {
    const rows = await db.query<{
      found: boolean; items: number; accepted_items: number; exhausted_items: number; outputs: number; rejected: number; scored: number;
      deciles: number[] | null; fidelity_checked: number; fidelity_matched: number;
    }>(
      `WITH o AS (SELECT accepted, clip_score, fidelity FROM output WHERE batch_id = $1),
            i AS (SELECT state FROM item WHERE batch_id = $1)
       SELECT EXISTS (SELECT 1 FROM batch WHERE id = $1) AS found,
              (SELECT count(*)::int FROM i) AS items,
              (SELECT count(*)::int FROM i WHERE state = 'done') AS accepted_items,
              (SELECT count(*)::int FROM i WHERE state = 'exhausted') AS exhausted_items,
              (SELECT count(*)::int FROM o) AS outputs,
              (SELECT count(*)::int FROM o WHERE NOT accepted) AS rejected,
              (SELECT count(clip_score)::int FROM o) AS scored,
              (SELECT percentile_cont($2::float8[]) WITHIN GROUP (ORDER BY clip_score) FROM o WHERE clip_score IS NOT NULL) AS deciles,
              (SELECT count(*)::int FROM o WHERE accepted AND fidelity IS NOT NULL) AS fidelity_checked,
              (SELECT count(*)::int FROM o WHERE accepted AND (fidelity->>'matchesOwn')::boolean) AS fidelity_matched`,
      [batchId, DECILES],
    );
    const row = rows[0];
    if (!row?.found) return undefined;
    return {
      items: row.items,
      acceptedItems: row.accepted_items,
      exhaustedItems: row.exhausted_items,
      outputs: row.outputs,
      rejectedOutputs: row.rejected,
      rejectedShare: row.outputs > 0 ? row.rejected / row.outputs : 0,
      scoredOutputs: row.scored,
      scoreDeciles: (row.deciles ?? []).map(Number),
      fidelityChecked: row.fidelity_checked,
      fidelityMatched: row.fidelity_matched,
      fidelityRate: row.fidelity_checked > 0 ? row.fidelity_matched / row.fidelity_checked : 0,
    };
  },
};
