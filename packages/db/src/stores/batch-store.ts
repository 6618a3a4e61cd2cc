import type { Database } from "../open-database.ts";
import type { BatchCounts, BatchState, NewItem } from "../domain.ts";

export interface NewBatch {
  id: string;
  tenantId: string;
  name: string;
  priority: number;
  defaults: Record<string, unknown>;
  maxAttempts: number;
  idempotencyKey?: string;
}

const COUNTS = `id, tenant_id AS "tenantId", state, total, done, failed, cancelled`;

/**
 * Batches are written in three steps so that a submission of any size
 * streams: `begin` creates the batch in state `receiving` (invisible to the
 * scheduler), `append` adds chunks of items with one set-based INSERT each,
 * and `commit` makes it schedulable, or `abort` removes every trace of it.
 */
export const batchStore = {
  /** Returns the id of an existing committed batch with the same idempotency key, if any. */
  async findByIdempotencyKey(db: Database, tenantId: string, key: string): Promise<string | undefined> {
    const rows = await db.query<{ id: string }>(
      `SELECT id FROM batch WHERE tenant_id = $1 AND idempotency_key = $2 AND state <> 'receiving'`,
      [tenantId, key],
    );
    return rows[0]?.id;
  },

  async begin(db: Database, batch: NewBatch): Promise<void> {
    await db.query(`INSERT INTO tenant (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [batch.tenantId]);
    await db.query(
      `INSERT INTO batch (id, tenant_id, name, priority, state, defaults, max_attempts, idempotency_key)
       VALUES ($1, $2, $3, $4, 'receiving', $5::jsonb, $6, $7)`,
      [batch.id, batch.tenantId, batch.name, batch.priority, JSON.stringify(batch.defaults), batch.maxAttempts, batch.idempotencyKey ?? null],
    );
  },

  async append(db: Database, batchId: string, items: readonly NewItem[]): Promise<void> {
    if (items.length === 0) return;
    await db.query(
      `INSERT INTO item (batch_id, index, prompt, negative_prompt, seed, model, width, height, steps, guidance, sampler)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::int[], $8::int[], $9::int[],
                                $10::float8[], $11::text[])`,
      [
        batchId,
        items.map((i) => i.index),
        items.map((i) => i.prompt),
        items.map((i) => i.negativePrompt),
        items.map((i) => i.seed),
        items.map((i) => i.model),
        items.map((i) => i.width),
        items.map((i) => i.height),
        items.map((i) => i.steps),
        items.map((i) => i.guidance),
        items.map((i) => i.sampler),
      ],
    );
  },

  async commit(db: Database, batchId: string, total: number): Promise<void> {
    await db.query(`UPDATE batch SET state = 'queued', total = $2 WHERE id = $1 AND state = 'receiving'`, [batchId, total]);
  },

  async abort(db: Database, batchId: string): Promise<void> {
    await db.query(`DELETE FROM batch WHERE id = $1 AND state = 'receiving'`, [batchId]);
  },

  /** Removes submissions that a dead coordinator left half-received. */
  async abortStale(db: Database, olderThanMs: number): Promise<number> {
    const rows = await db.query(
      `DELETE FROM batch WHERE state = 'receiving' AND created_at < now() - make_interval(secs => $1::float8 / 1000) RETURNING id`,
      [olderThanMs],
    );
    return rows.length;
  },

  async get(db: Database, batchId: string) {
    const rows = await db.query<BatchCounts & { name: string; priority: number; defaults: Record<string, unknown>; createdAt: Date; finishedAt: Date | null }>(
      `SELECT ${COUNTS}, name, priority, defaults, created_at AS "createdAt", finished_at AS "finishedAt"
       FROM batch WHERE id = $1 AND state <> 'receiving'`,
      [batchId],
    );
    return rows[0];
  },

  async counts(db: Database, batchId: string): Promise<BatchCounts | undefined> {
    const rows = await db.query<BatchCounts>(`SELECT ${COUNTS} FROM batch WHERE id = $1`, [batchId]);
    return rows[0];
  },

  async failures(db: Database, batchId: string, limit: number) {
    return db.query<{ index: number; error: string; attempts: number }>(
      `SELECT index, coalesce(last_error, '') AS error, attempts FROM item
       WHERE batch_id = $1 AND state = 'failed' ORDER BY index LIMIT $2`,
      [batchId, limit],
    );
  },

  /** Ends the batch if every item has settled; returns the new state when it did. */
  async finishIfSettled(db: Database, batchId: string): Promise<BatchState | undefined> {
    const rows = await db.query<{ state: BatchState }>(
      `UPDATE batch SET state = CASE WHEN failed >= total AND total > 0 THEN 'failed' ELSE 'completed' END, finished_at = now()
       WHERE id = $1 AND state IN ('queued', 'running') AND done + failed + cancelled >= total
       RETURNING state`,
      [batchId],
    );
    return rows[0]?.state;
  },

  /** Cancels every unfinished item; returns the live shards whose agents must stop. */
  async cancel(db: Database, batchId: string): Promise<{ shards: { shardId: string; agentId: string }[] }> {
    const shards = await db.query<{ shardId: string; agentId: string }>(
      `WITH cancelled_items AS (
         UPDATE item SET state = 'cancelled', lease_epoch = NULL
         WHERE batch_id = $1 AND state IN ('queued', 'leased') RETURNING id
       ), counted AS (
         UPDATE batch SET cancelled = cancelled + (SELECT count(*) FROM cancelled_items),
                          state = 'cancelled', finished_at = now()
         WHERE id = $1 AND state IN ('queued', 'running')
       )
       UPDATE shard SET state = 'cancelled', ended_at = now()
       WHERE batch_id = $1 AND state = 'leased'
       RETURNING id AS "shardId", agent_id AS "agentId"`,
      [batchId],
    );
    return { shards };
  },
};
