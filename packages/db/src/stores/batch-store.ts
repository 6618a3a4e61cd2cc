import { copyText, type CopyIn } from "../copy-in.ts";
import type { Database } from "../open-database.ts";
import type { BatchCounts, BatchState, NewItem, RenderSettings } from "../domain.ts";
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

// A batch this large, or this large a share of the item table (autovacuum's
// own default share), changes it enough to refresh its statistics at once.
const ANALYZE_AFTER_ITEMS = 10_000;
const ANALYZE_AFTER_SHARE = 0.1;

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

/**
 * A submission's items in columns: item k is index[k], prompt[k], ... with
 * settings[k]. Items that share their settings share the object, so that a
 * million items of one batch are five arrays and one settings object rather
 * than a million objects, and each settings' COPY text is built once.
 */
export interface ItemColumns {
  settings: RenderSettings[];
  index: number[];
  prompt: string[];
  negativePrompt: string[];
  seed: number[];
  /** Each item's plan axes ({"x": "euler"}); absent outside plans. */
  axes?: (Record<string, string> | undefined)[];
}

export function emptyItemColumns(): ItemColumns {
  return { settings: [], index: [], prompt: [], negativePrompt: [], seed: [] };
}

/** NewItem objects as columns; each item is its own settings. */
export function itemColumnsOf(items: readonly NewItem[]): ItemColumns {
  const columns = emptyItemColumns();
  if (items.some((i) => i.axes)) columns.axes = [];
  for (const item of items) {
    columns.settings.push(item);
    columns.index.push(item.index);
    columns.prompt.push(item.prompt);
    columns.negativePrompt.push(item.negativePrompt);
    columns.seed.push(item.seed);
    columns.axes?.push(item.axes);
  }
  return columns;
}

function isColumns(items: readonly NewItem[] | ItemColumns): items is ItemColumns {
  return !Array.isArray(items);
}

// COPY text goes out in pieces of about 64 K characters: a longer string is a
// large object to V8, kept until a full collection, and a submission of a
// million items made 30 MB of them between two.
const COPY_PIECE_CHARS = 64 * 1024;

function* copyPieces(batchId: string, items: ItemColumns): Generator<string> {
  // Items of a chunk nearly always share their settings: their text is built once per change.
  let settingsOf: RenderSettings | undefined;
  let settingsText = "";
  let rows = "";
  const { settings, index, prompt, negativePrompt, seed, axes } = items;
  for (let k = 0; k < index.length; k++) {
    const s = settings[k]!;
    if (s !== settingsOf && !(settingsOf && sameSettings(s, settingsOf))) {
      settingsText = `${copyText(s.model)}\t${s.width}\t${s.height}\t${s.steps}\t${s.guidance}\t${copyText(s.sampler)}\t${copyText(JSON.stringify(renderOptionsOf(s)))}`;
    }
    settingsOf = s;
    const itemAxes = axes?.[k];
    rows += `${batchId}\t${index[k]}\t${copyText(prompt[k]!)}\t${copyText(negativePrompt[k]!)}\t${seed[k]}\t${settingsText}\t${itemAxes ? copyText(JSON.stringify(itemAxes)) : "\\N"}\n`;
    if (rows.length >= COPY_PIECE_CHARS) {
      yield rows;
      rows = "";
    }
  }
  if (rows.length > 0) yield rows;
}

// Items made one by one (a plan's) are separate objects with, mostly, equal settings: compared by value.
function sameSettings(a: RenderSettings, b: RenderSettings): boolean {
  return a.model === b.model && a.width === b.width && a.height === b.height && a.steps === b.steps && a.guidance === b.guidance && a.sampler === b.sampler
    && a.clipSkip === b.clipSkip && a.seedSource === b.seedSource && a.refinerModel === b.refinerModel && a.refinerStart === b.refinerStart
    && a.architecture === b.architecture && JSON.stringify(a.hires) === JSON.stringify(b.hires) && JSON.stringify(a.upscale) === JSON.stringify(b.upscale)
    && JSON.stringify(a.clip) === JSON.stringify(b.clip);
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
  async append(db: Database, batchId: string, items: readonly NewItem[] | ItemColumns): Promise<void> {
    const columns = isColumns(items) ? items : itemColumnsOf(items);
    const count = columns.index.length;
    if (count === 0) return;
    const open = loadsOf(db);
    // A batch too small to fill one chunk goes in as one INSERT on the ordinary
    // connections: bulk-load connections are few, and held by large
    // submissions for as long as their clients take to send.
    if (db.copyIn && (open.has(batchId) || count >= COPY_MIN_ITEMS)) {
      let load = open.get(batchId);
      if (!load) {
        load = await db.copyIn(`COPY item (${ITEM_COLUMNS}) FROM STDIN`);
        open.set(batchId, load);
      }
      for (const piece of copyPieces(batchId, columns)) await load.write(piece);
      return;
    }
    const { settings } = columns;
    await db.query(
      `INSERT INTO item (${ITEM_COLUMNS})
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::int[], $8::int[], $9::int[],
                                $10::float8[], $11::text[], $12::jsonb[], $13::jsonb[])`,
      [
        batchId,
        columns.index,
        columns.prompt,
        columns.negativePrompt,
        columns.seed,
        settings.map((s) => s.model),
        settings.map((s) => s.width),
        settings.map((s) => s.height),
        settings.map((s) => s.steps),
        settings.map((s) => s.guidance),
        settings.map((s) => s.sampler),
        settings.map((s) => JSON.stringify(renderOptionsOf(s))),
        columns.index.map((_, k) => (columns.axes?.[k] ? JSON.stringify(columns.axes[k]) : null)),
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
    // A small batch in a small table: with no statistics, the planner guessed
    // a few hundred queued items and sorted all 8,000 of a batch for every lease.
    if (total >= ANALYZE_AFTER_ITEMS || total > ANALYZE_AFTER_SHARE * (await itemRowsEstimate(db))) await db.query(`ANALYZE item`);
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

/** The item table's row count as the planner's statistics have it (0 before the first ANALYZE). */
async function itemRowsEstimate(db: Database): Promise<number> {
  const [row] = await db.query<{ rows: number }>(`SELECT greatest(reltuples, 0)::float8 AS rows FROM pg_class WHERE oid = 'item'::regclass`);
  return row?.rows ?? 0;
}
