import type { Database } from "../open-database.ts";
import type { BatchCounts } from "../domain.ts";

export type RerunOutcome =
  | { rerun: true; requeued: number; counts: BatchCounts }
  /** The batch does not exist, is still being received, or was cancelled: nothing changed. */
  | { rerun: false; state: string | undefined };

export const batchRerun = {
  /**
   * Puts every failed item of a batch back in the queue with a clean slate
   * (attempts, lost leases, error and backoff reset) and fixes the batch in
   * the same statement: `failed` drops by exactly the items requeued, and a
   * finished batch is live again. The batch row is locked first, so a
   * failure recorded concurrently is either requeued here or counted after.
   * A cancelled batch stays cancelled: its owner stopped it.
   */
  async requeueFailed(db: Database, batchId: string): Promise<RerunOutcome> {
    const rows = await db.query<BatchCounts & { requeued: number }>(
      `WITH target AS (
         SELECT id FROM batch WHERE id = $1 AND state IN ('queued', 'running', 'completed', 'failed') FOR UPDATE
       ), requeued AS (
         UPDATE item SET state = 'queued', attempts = 0, lost_leases = 0, last_error = NULL, not_before = NULL,
                         shard_id = NULL, lease_epoch = NULL
         FROM target WHERE item.batch_id = target.id AND item.state = 'failed'
         RETURNING item.id
       ), n AS (
         SELECT count(*)::int AS requeued FROM requeued
       )
       UPDATE batch SET
         failed = batch.failed - n.requeued,
         state = CASE WHEN n.requeued > 0 AND batch.state IN ('completed', 'failed') THEN 'queued' ELSE batch.state END,
         finished_at = CASE WHEN n.requeued > 0 AND batch.state IN ('completed', 'failed') THEN NULL ELSE batch.finished_at END
       FROM target, n WHERE batch.id = target.id
       RETURNING batch.id, batch.tenant_id AS "tenantId", batch.state, batch.total, batch.done, batch.failed, batch.cancelled, n.requeued`,
      [batchId],
    );
    const row = rows[0];
    if (row) {
      const { requeued, ...counts } = row;
      return { rerun: true, requeued, counts };
    }
    const state = await db.query<{ state: string }>(`SELECT state FROM batch WHERE id = $1`, [batchId]);
    return { rerun: false, state: state[0]?.state };
  },
};
