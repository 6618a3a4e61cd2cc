import { copyText, type CopyIn } from "../copy-in.ts";
import type { Database } from "../open-database.ts";
import type { BatchCounts, BatchState, NewItem } from "../domain.ts";
import { renderOptionsOf } from "../render-options.ts";

export interface NewBatch {
  id: string;
  tenantId: string;
  name: string;
  priority: number;
  defaults: Record<string, unknown>;
  maxAttempts: number;
  idempotencyKey?: string;
  /** The X/Y/Z axes of the plan the batch came from, if it has any. */
  planAxes?: { name: string; setting: string; values: string[] }[];
}

const COUNTS = `id, tenant_id AS "tenantId", state, total, done, failed, cancelled`;

// A batch this large changes the item table enough to refresh its statistics at once.
const ANALYZE_AFTER_ITEMS = 10_000;

// The smallest first append that opens a COPY (see append).
const COPY_MIN_ITEMS = 1_000;

const ITEM_COLUMNS = "batch_id, index, prompt, negative_prompt, seed, model, width, height, steps, guidance, sampler, options, axes";

// On Postgres, each submission of a thousand items or more streams them into
// one COPY, opened by the first append and completed by commit: Postgres ingests one chunk while the
// coordinator reads and checks the next, and the rows appear, all at once,
// only when the COPY completes. By database handle, then batch id.
const loads = new WeakMap<Database, Map<string, CopyIn>>();

function loadsOf(db: Database): Map<string, CopyIn> {
  let open = loads.get(db);
  if (!open) loads.set(db, (open = new Map()));
  return open;
}

function copyRows(batchId: string, items: readonly NewItem[]): string {
  // Items of a chunk nearly always share their settings: their text is built once per change.
  let settingsOf: NewItem | undefined;
  let settingsText = "";
  let rows = "";
  for (const i of items) {
    if (!settingsOf || i.model !== settingsOf.model || i.width !== settingsOf.width || i.height !== settingsOf.height
      || i.steps !== settingsOf.steps || i.guidance !== settingsOf.guidance || i.sampler !== settingsOf.sampler || !sameOptions(i, settingsOf)) {
      settingsOf = i;
      settingsText = `${copyText(i.model)}\t${i.width}\t${i.height}\t${i.steps}\t${i.guidance}\t${copyText(i.sampler)}\t${copyText(JSON.stringify(renderOptionsOf(i)))}`;
    }
    rows += `${batchId}\t${i.index}\t${copyText(i.prompt)}\t${copyText(i.negativePrompt)}\t${i.seed}\t${settingsText}\t${i.axes ? copyText(JSON.stringify(i.axes)) : "\\N"}\n`;
  }
  return rows;
}

// Items expanded from one spec share their options object; others compare by value.
function sameOptions(a: NewItem, b: NewItem): boolean {
  return a.clipSkip === b.clipSkip && a.seedSource === b.seedSource && a.refinerModel === b.refinerModel && a.refinerStart === b.refinerStart
    && a.architecture === b.architecture && JSON.stringify(a.hires) === JSON.stringify(b.hires) && JSON.stringify(a.upscale) === JSON.stringify(b.upscale);
}

/**
 * Batches are written in three steps so that a submission of any size
 * streams: `begin` creates the batch in state `receiving` (invisible to the
 * scheduler), `append` adds chunks of items (into one COPY on Postgres, one
 * set-based INSERT each on PGlite), and `commit` makes the items durable and
 * the batch schedulable, or `abort` removes every trace of it.
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
      `INSERT INTO batch (id, tenant_id, name, priority, state, defaults, max_attempts, idempotency_key, plan_axes)
       VALUES ($1, $2, $3, $4, 'receiving', $5::jsonb, $6, $7, $8::jsonb)`,
      [batch.id, batch.tenantId, batch.name, batch.priority, JSON.stringify(batch.defaults), batch.maxAttempts, batch.idempotencyKey ?? null,
       batch.planAxes ? JSON.stringify(batch.planAxes) : null],
    );
  },

  /** May return before the items are durable; `commit` waits for them. */
  async append(db: Database, batchId: string, items: readonly NewItem[]): Promise<void> {
    if (items.length === 0) return;
    const open = loadsOf(db);
    // A batch too small to fill one chunk goes in as one INSERT on the ordinary
    // connections: bulk-load connections are few, and held by large
    // submissions for as long as their clients take to send.
    if (db.copyIn && (open.has(batchId) || items.length >= COPY_MIN_ITEMS)) {
      let load = open.get(batchId);
      if (!load) {
        load = await db.copyIn(`COPY item (${ITEM_COLUMNS}) FROM STDIN`);
        open.set(batchId, load);
      }
      await load.write(copyRows(batchId, items));
      return;
    }
    await db.query(
      `INSERT INTO item (${ITEM_COLUMNS})
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::int[], $8::int[], $9::int[],
                                $10::float8[], $11::text[], $12::jsonb[], $13::jsonb[])`,
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
        items.map((i) => JSON.stringify(renderOptionsOf(i))),
        items.map((i) => (i.axes ? JSON.stringify(i.axes) : null)),
      ],
    );
  },

  async commit(db: Database, batchId: string, total: number): Promise<void> {
    const load = loadsOf(db).get(batchId);
    if (load) {
      loadsOf(db).delete(batchId);
      await load.end();
    }
    await db.query(`UPDATE batch SET state = 'queued', total = $2 WHERE id = $1 AND state = 'receiving'`, [batchId, total]);
    // Until autovacuum gets to it, the planner would judge the lease queries by
    // statistics from before the load: at a million new rows that took a lease
    // from 3 ms to 750 ms. ANALYZE samples a fixed number of rows (0.2 s here).
    if (total >= ANALYZE_AFTER_ITEMS) await db.query(`ANALYZE item`);
  },

  async abort(db: Database, batchId: string): Promise<void> {
    const load = loadsOf(db).get(batchId);
    if (load) {
      loadsOf(db).delete(batchId);
      await load.abort("the submission was aborted");
    }
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

  /**
   * Live batches whose items have all settled: normally ended by the result
   * that settled them, but left open when their coordinator died between
   * recording that result and ending the batch.
   */
  async settledButLive(db: Database): Promise<string[]> {
    const rows = await db.query<{ id: string }>(
      `SELECT id FROM batch WHERE state IN ('queued', 'running') AND done + failed + cancelled >= total AND total > 0`,
    );
    return rows.map((row) => row.id);
  },

  async get(db: Database, batchId: string) {
    const rows = await db.query<BatchCounts & { name: string; priority: number; defaults: Record<string, unknown>; createdAt: Date; finishedAt: Date | null;
      planAxes: NonNullable<NewBatch["planAxes"]> | null }>(
      `SELECT ${COUNTS}, name, priority, defaults, created_at AS "createdAt", finished_at AS "finishedAt", plan_axes AS "planAxes"
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

  /**
   * Ends the batch if every item has settled; returns the new state when it
   * did. Its shards still leased (their agents' ShardDone is on the way) end
   * with it: every item is settled, so they hold nothing, and an ended batch
   * never shows a live lease.
   */
  async finishIfSettled(db: Database, batchId: string): Promise<BatchState | undefined> {
    const rows = await db.query<{ state: BatchState }>(
      `WITH settled AS (
         UPDATE batch SET state = CASE WHEN failed >= total AND total > 0 THEN 'failed' ELSE 'completed' END, finished_at = now()
         WHERE id = $1 AND state IN ('queued', 'running') AND done + failed + cancelled >= total
         RETURNING id, state
       ), ended AS (
         UPDATE shard SET state = 'done', ended_at = now() WHERE batch_id IN (SELECT id FROM settled) AND state = 'leased'
       )
       SELECT state FROM settled`,
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
