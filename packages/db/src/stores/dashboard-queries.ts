import type { Database } from "../open-database.ts";
import type { BatchState, ItemState } from "../domain.ts";

/**
 * The reads behind the admin dashboard. Every query is bounded (a page, a
 * group-by over failed items, the live shards) and walks an index, so that a
 * batch of a million items is never read whole.
 */

export interface BatchSummary {
  id: string;
  tenantId: string;
  name: string;
  /** A batch still being received is not listed. */
  state: Exclude<BatchState, "receiving">;
  priority: number;
  total: number;
  done: number;
  failed: number;
  cancelled: number;
  createdAtMs: number;
  finishedAtMs: number | null;
}

/** Keyset cursor for the batch list: the last row of the previous page. */
export interface BatchCursor {
  createdAtMs: number;
  id: string;
}

export interface ItemTile {
  itemId: string;
  index: number;
  seed: number;
  state: ItemState;
  /** At most 200 characters: tiles show a hint, the detail view the whole prompt. */
  prompt: string;
  error: string;
  hasImage: boolean;
  /** The accepted image's CLIP similarity; null when unscored or without an image. */
  clipScore: number | null;
}

/** One bin of a batch's CLIP scores, [from, to); the last bin includes its `to`. */
export interface ScoreBin {
  from: number;
  to: number;
  accepted: number;
  rejected: number;
}

export interface FailedItem {
  itemId: string;
  index: number;
  seed: number;
  prompt: string;
  attempts: number;
  lostLeases: number;
  error: string;
}

export interface ItemDetail {
  itemId: string;
  batchId: string;
  tenantId: string;
  index: number;
  state: ItemState;
  prompt: string;
  negativePrompt: string;
  seed: number;
  model: string;
  width: number;
  height: number;
  steps: number;
  guidance: number;
  sampler: string;
  attempts: number;
  error: string;
  output: { key: string; sha256: string; bytes: number; agentId: string; renderMs: number; createdAtMs: number } | null;
}

export interface ShardRow {
  shardId: string;
  batchId: string;
  batchName: string;
  agentId: string;
  epoch: number;
  state: string;
  items: number;
  /** Items of the shard already rendered and recorded. */
  done: number;
  leasedAtMs: number;
  endedAtMs: number | null;
}

export interface FarmTotals {
  agents: number;
  agentsOnline: number;
  /** Slots of online agents: the farm's capacity right now. */
  slots: number;
  liveLeases: number;
  queueDepth: number;
  liveBatches: number;
  /** Monotonic while agents are registered: every image any agent rendered. */
  imagesDone: number;
}

// The item's shown image is its accepted, unquarantined output (at most one).
const TILE = `i.id::text AS "itemId", i.index, i.seed::text AS seed, i.state, left(i.prompt, 200) AS prompt,
  coalesce(i.last_error, '') AS error, shown.id IS NOT NULL AS "hasImage", shown.clip_score AS "clipScore"`;
const SHOWN = `LEFT JOIN LATERAL (SELECT o.id, o.clip_score FROM output o WHERE o.item_id = i.id AND NOT o.quarantined AND o.accepted LIMIT 1) shown ON true`;

const toTile = (row: Omit<ItemTile, "seed"> & { seed: string }): ItemTile => ({ ...row, seed: Number(row.seed) });

const SHARD = `s.id AS "shardId", s.batch_id AS "batchId", b.name AS "batchName", s.agent_id AS "agentId", s.epoch::text AS epoch,
  s.state, s.item_count AS items, (SELECT count(*) FROM item i WHERE i.shard_id = s.id AND i.state = 'done')::int AS done,
  s.leased_at AS "leasedAt", s.ended_at AS "endedAt"`;

type RawShard = Omit<ShardRow, "epoch" | "leasedAtMs" | "endedAtMs"> & { epoch: string; leasedAt: Date; endedAt: Date | null };
const toShard = ({ leasedAt, endedAt, ...row }: RawShard): ShardRow => ({
  ...row,
  epoch: Number(row.epoch),
  leasedAtMs: leasedAt.getTime(),
  endedAtMs: endedAt?.getTime() ?? null,
});

export const dashboardQueries = {
  /** Newest first; `live` is queued or running. A receiving batch is not shown until committed. */
  async listBatches(db: Database, options: { state?: BatchState | "live"; limit: number; before?: BatchCursor }): Promise<BatchSummary[]> {
    const states = options.state === undefined ? ["queued", "running", "completed", "failed", "cancelled"] : options.state === "live" ? ["queued", "running"] : [options.state];
    const rows = await db.query<Omit<BatchSummary, "createdAtMs" | "finishedAtMs"> & { createdAt: Date; finishedAt: Date | null }>(
      `SELECT id, tenant_id AS "tenantId", name, state, priority, total, done, failed, cancelled,
              created_at AS "createdAt", finished_at AS "finishedAt"
       FROM batch
       WHERE state = ANY($1::text[])
         AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::text))
       ORDER BY created_at DESC, id DESC LIMIT $4`,
      [states, options.before ? new Date(options.before.createdAtMs) : null, options.before?.id ?? "", options.limit],
    );
    return rows.map(({ createdAt, finishedAt, ...row }) => ({ ...row, createdAtMs: createdAt.getTime(), finishedAtMs: finishedAt?.getTime() ?? null }));
  },

  /** Failed items of a batch grouped by their last error, most frequent first. */
  async failureReasons(db: Database, batchId: string, limit: number): Promise<{ error: string; count: number; firstIndex: number }[]> {
    return db.query(
      `SELECT coalesce(last_error, '') AS error, count(*)::int AS count, min(index) AS "firstIndex"
       FROM item WHERE state = 'failed' AND batch_id = $1
       GROUP BY 1 ORDER BY count(*) DESC, min(index) LIMIT $2`,
      [batchId, limit],
    );
  },

  /** One page of a batch's failed items, after the item id of the previous page's last row. */
  async failedItems(db: Database, batchId: string, options: { afterItemId?: string; limit: number }): Promise<FailedItem[]> {
    const rows = await db.query<Omit<FailedItem, "seed"> & { seed: string }>(
      `SELECT id::text AS "itemId", index, seed::text AS seed, left(prompt, 200) AS prompt, attempts,
              lost_leases AS "lostLeases", coalesce(last_error, '') AS error
       FROM item WHERE state = 'failed' AND batch_id = $1 AND id > $2::bigint
       ORDER BY id LIMIT $3`,
      [batchId, options.afterItemId ?? "0", options.limit],
    );
    return rows.map((row) => ({ ...row, seed: Number(row.seed) }));
  },

  /** Items whose index is in [fromIndex, fromIndex + limit): any position of any batch in one index range scan. */
  async itemsByIndex(db: Database, batchId: string, options: { fromIndex: number; limit: number }): Promise<ItemTile[]> {
    const rows = await db.query<Omit<ItemTile, "seed"> & { seed: string }>(
      `SELECT ${TILE} FROM item i ${SHOWN} WHERE i.batch_id = $1 AND i.index >= $2 AND i.index < $2 + $3 ORDER BY i.index`,
      [batchId, options.fromIndex, options.limit],
    );
    return rows.map(toTile);
  },

  /**
   * One page of a batch's items in the given states, in item order after
   * `afterItemId`. Each state is its own ordered index scan; merging them
   * keeps a rare state cheap to page through in a huge batch.
   */
  async itemsByState(db: Database, batchId: string, options: { states: readonly ItemState[]; afterItemId?: string; limit: number }): Promise<ItemTile[]> {
    if (options.states.length === 0) return [];
    const scans = options.states.map(
      (_, n) => `(SELECT ${TILE} FROM item i ${SHOWN} WHERE i.state = $${n + 4} AND i.batch_id = $1 AND i.id > $2::bigint ORDER BY i.id LIMIT $3)`,
    );
    const rows = await db.query<Omit<ItemTile, "seed"> & { seed: string }>(
      `SELECT * FROM (${scans.join(" UNION ALL ")}) merged ORDER BY "itemId"::bigint LIMIT $3`,
      [batchId, options.afterItemId ?? "0", options.limit, ...options.states],
    );
    return rows.map(toTile);
  },

  /**
   * One page of a batch's items whose shown image scored at least
   * `minScore`, in the order the images were recorded: a walk of the
   * outputs' (batch_id, id) index after `afterOutputId`. `next` is the last
   * row's output id.
   */
  async itemsByMinScore(
    db: Database,
    batchId: string,
    options: { minScore: number; afterOutputId?: string; limit: number },
  ): Promise<{ items: ItemTile[]; next: string | null }> {
    const rows = await db.query<Omit<ItemTile, "seed"> & { seed: string; outputId: string }>(
      `SELECT ${TILE}, shown.id::text AS "outputId"
       FROM output shown JOIN item i ON i.id = shown.item_id
       WHERE shown.batch_id = $1 AND shown.id > $2::bigint AND shown.accepted AND NOT shown.quarantined AND shown.clip_score >= $3
       ORDER BY shown.id LIMIT $4`,
      [batchId, options.afterOutputId ?? "0", options.minScore, options.limit],
    );
    return {
      items: rows.map(({ outputId: _, ...row }) => toTile(row)),
      next: rows.length === options.limit ? rows.at(-1)!.outputId : null,
    };
  },

  /**
   * The batch's scored outputs (every attempt) counted in `bins` equal-width
   * bins from the lowest score to the highest, accepted and rejected apart;
   * empty when none is scored.
   */
  async scoreHistogram(db: Database, batchId: string, bins: number): Promise<ScoreBin[]> {
    const rows = await db.query<{ bin: number; lo: number; hi: number; accepted: number; rejected: number }>(
      `WITH o AS (SELECT clip_score AS score, accepted FROM output WHERE batch_id = $1 AND clip_score IS NOT NULL),
            r AS (SELECT min(score) AS lo, max(score) AS hi FROM o)
       SELECT CASE WHEN r.hi = r.lo THEN 1 ELSE least(width_bucket(o.score, r.lo, r.hi, $2), $2) END AS bin, r.lo, r.hi,
              count(*) FILTER (WHERE o.accepted)::int AS accepted, count(*) FILTER (WHERE NOT o.accepted)::int AS rejected
       FROM o CROSS JOIN r GROUP BY 1, 2, 3`,
      [batchId, bins],
    );
    const first = rows[0];
    if (!first) return [];
    // All scores equal: one bin holds them all.
    const count = first.hi === first.lo ? 1 : bins;
    const width = (first.hi - first.lo) / count;
    return Array.from({ length: count }, (_, n) => {
      const row = rows.find((r) => r.bin === n + 1);
      return { from: first.lo + n * width, to: n === count - 1 ? first.hi : first.lo + (n + 1) * width, accepted: row?.accepted ?? 0, rejected: row?.rejected ?? 0 };
    });
  },

  async item(db: Database, itemId: string): Promise<ItemDetail | undefined> {
    if (!/^\d{1,18}$/.test(itemId)) return undefined;
    const rows = await db.query<
      Omit<ItemDetail, "seed" | "output"> & { seed: string; key: string | null; sha256: string; bytes: number; agentId: string; renderMs: number; createdAt: Date }
    >(
      `SELECT i.id::text AS "itemId", i.batch_id AS "batchId", b.tenant_id AS "tenantId", i.index, i.state, i.prompt,
              i.negative_prompt AS "negativePrompt", i.seed::text AS seed, i.model, i.width, i.height, i.steps, i.guidance,
              i.sampler, i.attempts, coalesce(i.last_error, '') AS error,
              o.key, o.sha256, o.bytes, o.agent_id AS "agentId", o.render_ms AS "renderMs", o.created_at AS "createdAt"
       -- A quarantined image is shown only in the moderation queue.
       FROM item i JOIN batch b ON b.id = i.batch_id LEFT JOIN output o ON o.item_id = i.id AND NOT o.quarantined AND o.accepted
       WHERE i.id = $1::bigint`,
      [itemId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const { key, sha256, bytes, agentId, renderMs, createdAt, ...item } = row;
    return {
      ...item,
      seed: Number(item.seed),
      output: key === null ? null : { key, sha256, bytes, agentId, renderMs, createdAtMs: createdAt.getTime() },
    };
  },

  /** Every live lease with its progress: what each agent is working on now. */
  async liveShards(db: Database): Promise<ShardRow[]> {
    const rows = await db.query<RawShard>(
      `SELECT ${SHARD} FROM shard s JOIN batch b ON b.id = s.batch_id WHERE s.state = 'leased' ORDER BY s.epoch`,
    );
    return rows.map(toShard);
  },

  /** An agent's most recent shards, newest first, whatever their outcome. */
  async recentShards(db: Database, agentId: string, limit: number): Promise<ShardRow[]> {
    const rows = await db.query<RawShard>(
      `SELECT ${SHARD} FROM shard s JOIN batch b ON b.id = s.batch_id WHERE s.agent_id = $1 ORDER BY s.epoch DESC LIMIT $2`,
      [agentId, limit],
    );
    return rows.map(toShard);
  },

  /** When each shard was leased and ended (null while live), for following leases to their end; one index probe each. */
  async shardEnds(db: Database, shardIds: readonly string[]): Promise<{ shardId: string; state: string; leasedAtMs: number; endedAtMs: number | null }[]> {
    if (shardIds.length === 0) return [];
    const rows = await db.query<{ shardId: string; state: string; leasedAt: Date; endedAt: Date | null }>(
      `SELECT id AS "shardId", state, leased_at AS "leasedAt", ended_at AS "endedAt" FROM shard WHERE id = ANY($1::text[])`,
      [shardIds],
    );
    return rows.map(({ leasedAt, endedAt, ...row }) => ({ ...row, leasedAtMs: leasedAt.getTime(), endedAtMs: endedAt?.getTime() ?? null }));
  },

  /** The farm at a glance, in one round trip over small tables and the live-lease index. */
  async farmTotals(db: Database): Promise<FarmTotals> {
    const rows = await db.query<Omit<FarmTotals, "imagesDone"> & { imagesDone: string }>(
      `SELECT (SELECT count(*) FROM agent)::int AS agents,
              (SELECT count(*) FROM agent WHERE status = 'online')::int AS "agentsOnline",
              (SELECT coalesce(sum(slots), 0) FROM agent WHERE status = 'online')::int AS slots,
              (SELECT count(*) FROM shard WHERE state = 'leased')::int AS "liveLeases",
              (SELECT coalesce(sum(total - done - failed - cancelled), 0) FROM batch WHERE state IN ('queued', 'running'))::int AS "queueDepth",
              (SELECT count(*) FROM batch WHERE state IN ('queued', 'running'))::int AS "liveBatches",
              (SELECT coalesce(sum(images_done), 0) FROM agent)::text AS "imagesDone"`,
    );
    const row = rows[0]!;
    return { ...row, imagesDone: Number(row.imagesDone) };
  },

  /** Images rendered per agent since it was first seen, for per-agent rates. */
  async agentImageCounts(db: Database): Promise<Map<string, number>> {
    const rows = await db.query<{ id: string; imagesDone: string }>(`SELECT id, images_done::text AS "imagesDone" FROM agent`);
    return new Map(rows.map((row) => [row.id, Number(row.imagesDone)]));
  },
};
