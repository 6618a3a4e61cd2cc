import type { Database } from "../open-database.ts";

export interface OutputRow {
  id: string;
  itemId: string;
  index: number;
  seed: number;
  prompt: string;
  key: string;
  sha256: string;
  bytes: number;
  width: number;
  height: number;
  agentId: string;
  /** The item's plan axis values; empty outside plans. */
  axes: Record<string, string>;
}

export const outputStore = {
  /**
   * One page of a batch's outputs in item order, keyed by item index for the
   * next page; quarantined images and the attempts a CLIP quality gate
   * rejected are left out (one output per item, which the paging relies on).
   */
  async page(db: Database, batchId: string, afterIndex: number, limit: number): Promise<OutputRow[]> {
    const rows = await db.query<Omit<OutputRow, "seed"> & { seed: string }>(
      `SELECT o.id::text AS id, o.item_id::text AS "itemId", i.index, i.seed::text AS seed, i.prompt, o.key, o.sha256,
              o.bytes, o.width, o.height, o.agent_id AS "agentId", coalesce(i.axes, '{}') AS axes
       FROM output o JOIN item i ON i.id = o.item_id
       WHERE o.batch_id = $1 AND i.index > $2 AND NOT o.quarantined AND o.accepted ORDER BY i.index LIMIT $3`,
      [batchId, afterIndex, limit],
    );
    return rows.map((row) => ({ ...row, seed: Number(row.seed) }));
  },

  /**
   * One page of a sweep's images for its grid, in item order: the accepted
   * output of each item, quarantined ones included and marked, so that a
   * grid can keep their places (drawn as withheld, never shown).
   */
  async gridPage(db: Database, batchId: string, afterIndex: number, limit: number): Promise<GridOutputRow[]> {
    return db.query<GridOutputRow>(
      `SELECT i.index, o.key, o.width, o.height, coalesce(i.axes, '{}') AS axes, o.quarantined
       FROM output o JOIN item i ON i.id = o.item_id
       WHERE o.batch_id = $1 AND i.index > $2 AND o.accepted ORDER BY i.index LIMIT $3`,
      [batchId, afterIndex, limit],
    );
  },
};

export interface GridOutputRow {
  index: number;
  key: string;
  width: number;
  height: number;
  axes: Record<string, string>;
  /** flagged by the safety checker and not released: its place is shown, its pixels are not */
  quarantined: boolean;
}
