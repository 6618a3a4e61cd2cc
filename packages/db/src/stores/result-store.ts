import type { Database } from "../open-database.ts";
import type { BatchCounts } from "../domain.ts";

export interface RecordedOutput {
  itemId: string;
  epoch: number;
  agentId: string;
  key: string;
  sha256: string;
  bytes: number;
  width: number;
  height: number;
  renderMs: number;
  metadata: Record<string, unknown>;
}

export type ResultOutcome =
  | { accepted: true; counts: BatchCounts }
  | { accepted: false; reason: string };

// Retry backoff: 1 s doubling to 100 s, full jitter (RELIABILITY.md).
const BACKOFF = `make_interval(secs => random() * least(100, power(2, item.attempts)))`;

/**
 * Item results, fenced by epoch: a result counts only while the item is
 * still leased under the epoch the agent names. The first valid completion
 * wins; the output row is unique per item.
 */
export const resultStore = {
  async recordOutput(db: Database, output: RecordedOutput): Promise<ResultOutcome> {
    const rows = await db.query<BatchCounts>(
      `WITH done_item AS (
         UPDATE item SET state = 'done', last_error = NULL
         WHERE id = $1::bigint AND lease_epoch = $2 AND state = 'leased'
         RETURNING id, batch_id
       ), recorded AS (
         INSERT INTO output (item_id, batch_id, key, sha256, bytes, width, height, agent_id, epoch, render_ms, metadata)
         SELECT id, batch_id, $3, $4, $5, $6, $7, $8, $2, $9, $10::jsonb FROM done_item
         ON CONFLICT (item_id) DO NOTHING
         RETURNING batch_id
       ), credited AS (
         UPDATE agent SET images_done = images_done + 1, last_seen_at = now()
         WHERE id = $8 AND EXISTS (SELECT 1 FROM recorded)
       )
       UPDATE batch SET done = batch.done + 1 FROM recorded WHERE batch.id = recorded.batch_id
       RETURNING batch.id, batch.tenant_id AS "tenantId", batch.state, batch.total, batch.done, batch.failed, batch.cancelled`,
      [output.itemId, output.epoch, output.key, output.sha256, output.bytes, output.width, output.height,
       output.agentId, output.renderMs, JSON.stringify(output.metadata)],
    );
    const counts = rows[0];
    if (counts) return { accepted: true, counts };
    return { accepted: false, reason: await whyRefused(db, output.itemId, output.epoch) };
  },

  /** A failed render: retried after a backoff unless not retryable or out of attempts. */
  async recordFailure(db: Database, failure: { itemId: string; epoch: number; error: string; retryable: boolean }) {
    const rows = await db.query<BatchCounts & { itemState: string }>(
      `WITH failed_item AS (
         UPDATE item SET
           attempts = item.attempts + 1,
           state = CASE WHEN NOT $3 OR item.attempts + 1 >= b.max_attempts THEN 'failed' ELSE 'queued' END,
           last_error = $4, shard_id = NULL, lease_epoch = NULL,
           not_before = now() + ${BACKOFF}
         FROM batch b
         WHERE item.id = $1::bigint AND item.lease_epoch = $2 AND item.state = 'leased' AND b.id = item.batch_id
         RETURNING item.batch_id, item.state
       ), counted AS (
         UPDATE batch SET failed = batch.failed + 1 FROM failed_item f
         WHERE batch.id = f.batch_id AND f.state = 'failed'
       )
       SELECT b.id, b.tenant_id AS "tenantId", b.state, b.total, b.done,
              b.failed + (CASE WHEN f.state = 'failed' THEN 1 ELSE 0 END) AS failed, b.cancelled, f.state AS "itemState"
       FROM failed_item f JOIN batch b ON b.id = f.batch_id`,
      [failure.itemId, failure.epoch, failure.retryable, failure.error],
    );
    const row = rows[0];
    if (!row) return { accepted: false as const, reason: await whyRefused(db, failure.itemId, failure.epoch) };
    const { itemState, ...counts } = row;
    return { accepted: true as const, itemState, counts };
  },

  /** What an item's object key is made of, for checking a result from a shard this process did not lease. */
  async identityOf(db: Database, itemId: string) {
    const rows = await db.query<{ tenantId: string; batchId: string; index: number; seed: string }>(
      `SELECT b.tenant_id AS "tenantId", i.batch_id AS "batchId", i.index, i.seed::text AS seed
       FROM item i JOIN batch b ON b.id = i.batch_id WHERE i.id = $1::bigint`,
      [itemId],
    );
    const row = rows[0];
    return row ? { ...row, seed: Number(row.seed) } : undefined;
  },
};

async function whyRefused(db: Database, itemId: string, epoch: number): Promise<string> {
  const rows = await db.query<{ state: string; epoch: string | null }>(
    `SELECT state, lease_epoch::text AS epoch FROM item WHERE id = $1::bigint`,
    [itemId],
  );
  const item = rows[0];
  if (!item) return `unknown item ${itemId}`;
  if (item.state === "leased") return `stale epoch ${epoch}: the item is now held by epoch ${item.epoch}`;
  return `stale epoch ${epoch}: the item is ${item.state}`;
}
