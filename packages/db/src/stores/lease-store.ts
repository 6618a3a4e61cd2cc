import type { Database } from "../open-database.ts";
import type { AgentCapabilities, Lease, RenderOptions, RenderSettings } from "../domain.ts";

// The queued items of batch $1, written as a range of the (state, batch_id, id) index rather than as
// two equalities: with equalities the planner may walk the primary key in id order instead and
// filter, which reads every finished item of the batch (90 ms per lease at 90,000 done) whenever
// its statistics still count them as queued. A range of that index is the one path that yields
// this order.
const queuedOfBatch = (t = "", batch = "$1") => `(${t}state, ${t}batch_id, ${t}id) >= ('queued', ${batch}, 0) AND (${t}state, ${t}batch_id) <= ('queued', ${batch})`;
/**
 * Items the agent can run; its models, size limits (of the first pass),
 * "<model>@<architecture>" list and upscalers are the parameters from $first
 * on (capabilityParams). An item's options name what else it needs: the
 * model's architecture, a refiner model, an upscaler (hires or upscale).
 */
const capable = (first: number) =>
  `model = ANY($${first}::text[]) AND width <= $${first + 1} AND height <= $${first + 2}
   AND (options->>'architecture' IS NULL OR model || '@' || (options->>'architecture') = ANY($${first + 3}::text[]))
   AND (options->>'refinerModel' IS NULL OR options->>'refinerModel' = ANY($${first}::text[]))
   AND (options #>> '{hires,upscaler}' IS NULL OR options #>> '{hires,upscaler}' = 'bicubic'
        OR options #>> '{hires,upscaler}' = ANY($${first + 4}::text[]))
   AND (options #>> '{upscale,model}' IS NULL OR options #>> '{upscale,model}' = ANY($${first + 4}::text[]))`;
const capabilityParams = (c: AgentCapabilities) => [c.models, c.maxWidth, c.maxHeight, c.architectures ?? [], c.upscalers ?? []];

export interface BatchPreference {
  /** The model the agent ran last: switching costs a model load. */
  loadedModel?: string;
  /** Waiting this long raises a batch's priority by one level. */
  agingMsPerPriorityLevel?: number;
  /**
   * How much fair share bends toward the loaded model, as a fraction (below
   * 1) of the mean tenant share: the batch of the agent's loaded model counts
   * its tenant's share lowered by this much. 0 (default) is strict fair share.
   */
  modelAffinity?: number;
}

export interface LeaseRequest extends AgentCapabilities {
  agentId: string;
  shardId: string;
  maxItems: number;
  leaseTtlMs: number;
}

// What a lease statement returns of each item it hands out, and the rows it answers with.
const ASSIGNED_ITEM = `item.id, item.index, item.prompt, item.negative_prompt, item.seed, item.model, item.width,
                   item.height, item.steps, item.guidance, item.sampler, item.options`;
const leasedRows = (items: string, shard: string) =>
  `SELECT l.id::text AS "itemId", l.index, l.prompt, l.negative_prompt AS "negativePrompt", l.seed::text AS seed,
          l.model, l.width, l.height, l.steps, l.guidance, l.sampler, l.options,
          -- Instants as milliseconds: on every row, and a timestamp costs the client a Date parse per row.
          s.epoch::text AS epoch, extract(epoch FROM s.expires_at)::float8 * 1000 AS "expiresAtMs", b.id AS "batchId",
          extract(epoch FROM b.created_at)::float8 * 1000 AS "batchCreatedAtMs", b.tenant_id AS "tenantId"
   FROM ${items} l, ${shard} s, batch b WHERE b.id = s.batch_id
   ORDER BY l.index`;

interface LeasedRow extends RenderSettings {
  options: RenderOptions;
  batchId: string;
  batchCreatedAtMs: number;
  tenantId: string;
  epoch: string;
  expiresAtMs: number;
  itemId: string;
  index: number;
  prompt: string;
  negativePrompt: string;
  seed: string;
}

/**
 * Every lease transition is one SQL statement, judged by the database clock,
 * so that coordinators (one or several) can die at any point without leaving
 * an item held by two leases.
 */
export const leaseStore = {
  /**
   * Picks the batch this agent should serve next. Fair share first: the
   * tenant holding the fewest leased items for its weight goes first, so a
   * tenant with 100,000 queued cannot keep another waiting for more than a
   * shard; with `modelAffinity`, a batch of the model the agent has loaded
   * counts its tenant's share lowered by that fraction of the mean share, so
   * agents do not pay a model load for a small imbalance (a tenant with
   * nothing leased still goes before any tenant at or above the mean).
   * Within the tenant, the highest priority, raised by age so that no batch
   * starves; then batches of the model the agent already runs; then the
   * oldest. Only batches with an item this agent can run are considered.
   */
  async pickBatch(db: Database, capabilities: AgentCapabilities, preference: BatchPreference = {}): Promise<{ id: string; remaining: number; model: string } | undefined> {
    const rows = await db.query<{ id: string; remaining: number; model: string }>(
      `WITH eligible AS (
         SELECT b.id, b.tenant_id, b.priority, b.created_at, b.defaults->>'model' AS model,
                b.total - b.done - b.failed - b.cancelled AS remaining
         FROM batch b
         -- One index probe per live batch for an item this agent can run. As an
         -- EXISTS, the planner may instead hash every queued item of the farm
         -- (400 ms at a million); LIMIT inside LATERAL keeps it a probe. As a
         -- range of the (state, batch_id, id) index: as equalities, with
         -- statistics that still counted finished items as queued, the planner
         -- chose a sequential scan that read every finished item before a queued one.
         CROSS JOIN LATERAL (SELECT 1 FROM item
                             WHERE ${queuedOfBatch("", "b.id")} AND (not_before IS NULL OR not_before <= now()) AND ${capable(1)}
                             ORDER BY state, batch_id, id LIMIT 1) ready
         WHERE b.state IN ('queued', 'running')
       ), tenant_load AS (
         SELECT t.id, t.weight,
                (SELECT coalesce(sum(s.item_count), 0) FROM shard s JOIN batch sb ON sb.id = s.batch_id
                 WHERE s.state = 'leased' AND sb.tenant_id = t.id) AS leased
         FROM tenant t WHERE t.id IN (SELECT tenant_id FROM eligible)
       ), share AS (
         SELECT id, leased::float8 / greatest(weight, 1) AS share FROM tenant_load
       )
       SELECT e.id, e.remaining, coalesce(e.model, '') AS model FROM eligible e JOIN share l ON l.id = e.tenant_id
       ORDER BY l.share - CASE WHEN e.model = $7 THEN $8 * (SELECT avg(share) FROM share) ELSE 0 END,
                e.priority + extract(epoch FROM now() - e.created_at) / $6 DESC,
                (e.model = $7) DESC,
                e.created_at
       LIMIT 1`,
      [...capabilityParams(capabilities),
       (preference.agingMsPerPriorityLevel ?? 10 * 60_000) / 1000, preference.loadedModel ?? "", preference.modelAffinity ?? 0],
      // Its generic plan is tested in lease-plan.test.ts.
      { prepareAs: "pick_batch" },
    );
    return rows[0];
  },

  /**
   * Leases up to `maxItems` queued items of one batch that share the pipeline
   * key of the batch's first eligible item. Returns undefined when another
   * coordinator took them first (rows are claimed with SKIP LOCKED).
   */
  async lease(db: Database, batchId: string, request: LeaseRequest): Promise<Lease | undefined> {
    const rows = await db.query<LeasedRow>(
      `WITH head AS (
         SELECT id, model, width, height, steps, guidance, sampler, options FROM item
         WHERE ${queuedOfBatch()} AND (not_before IS NULL OR not_before <= now()) AND ${capable(2)}
         ORDER BY state, batch_id, id LIMIT 1
       ), picked AS (
         -- From the head on: the batch's queued range begins with the index entries of every item
         -- leased since the last vacuum, which a second walk from id 0 would read again.
         SELECT i.id FROM item i, head h
         WHERE (i.state, i.batch_id, i.id) >= ('queued', $1, (SELECT id FROM head)) AND (i.state, i.batch_id) <= ('queued', $1)
           AND (i.not_before IS NULL OR i.not_before <= now())
           AND (i.model, i.width, i.height, i.steps, i.guidance, i.sampler, i.options) = (h.model, h.width, h.height, h.steps, h.guidance, h.sampler, h.options)
         ORDER BY i.state, i.batch_id, i.id LIMIT $7 FOR UPDATE OF i SKIP LOCKED
       ), new_shard AS (
         INSERT INTO shard (id, batch_id, agent_id, item_count, expires_at)
         SELECT $8, $1, $9, count(*), now() + make_interval(secs => $10::float8 / 1000) FROM picked HAVING count(*) > 0
         RETURNING id, batch_id, epoch, expires_at
       ), running AS (
         UPDATE batch SET state = 'running' WHERE id = $1 AND state = 'queued' AND EXISTS (SELECT 1 FROM new_shard)
       ), leased AS (
         -- By primary key: joined to picked, a shard of a hundred items was hashed against a
         -- sequential scan of the whole item table.
         UPDATE item SET state = 'leased', shard_id = s.id, lease_epoch = s.epoch
         FROM new_shard s WHERE item.id = ANY(ARRAY(SELECT id FROM picked))
         RETURNING ${ASSIGNED_ITEM}
       )
       ${leasedRows("leased", "new_shard")}`,
      [batchId, ...capabilityParams(request), request.maxItems, request.shardId, request.agentId, request.leaseTtlMs],
      // Its generic plan is tested in lease-plan.test.ts.
      { prepareAs: "lease_shard" },
    );
    return toLease(request.shardId, rows);
  },

  /**
   * For an agent with nothing to do: a speculative copy of the unfinished
   * tail (the later half, by index) of the live shard with the most
   * unfinished items that has run longer than `minAgeMs` on another agent.
   * The items stay leased to that shard and are held by the copy as well;
   * the first valid result of each wins (outputs are idempotent: same key,
   * same seed). Each item has at most one copy. Undefined when no shard
   * qualifies or another coordinator took it first.
   */
  async speculate(db: Database, request: LeaseRequest & { minAgeMs: number }): Promise<Lease | undefined> {
    const rows = await db.query<LeasedRow>(
      `WITH straggler AS (
         -- From the live shards old enough to back up, each one's unfinished items counted through
         -- the item(shard_id) index. Grouped from the leased items instead, every idle agent's call
         -- read every leased item of the farm (20 ms a call with 8,000 leased), mostly to find
         -- shards too young to qualify. Here and below the state is tested as an expression that
         -- the (state, batch_id, id) index cannot serve, which would read every leased item again.
         SELECT s.id, s.batch_id, u.unfinished
         FROM shard s JOIN batch b ON b.id = s.batch_id
         CROSS JOIN LATERAL (SELECT count(*) AS unfinished FROM item i
                             WHERE i.shard_id = s.id AND i.state || '' = 'leased' AND i.spec_shard_id IS NULL AND ${capable(2)}) u
         WHERE s.state = 'leased' AND NOT s.speculative AND s.agent_id <> $8 AND b.state = 'running'
           AND s.leased_at < now() - make_interval(secs => $10::float8 / 1000) AND u.unfinished > 0
         ORDER BY u.unfinished DESC, s.leased_at LIMIT 1
       ), candidates AS (
         SELECT i.id, i.index FROM item i
         WHERE i.shard_id = (SELECT id FROM straggler) AND i.state || '' = 'leased' AND i.spec_shard_id IS NULL
         ORDER BY i.index DESC LIMIT least($7, (SELECT ceil(unfinished / 2.0) FROM straggler)::int)
         FOR UPDATE OF i SKIP LOCKED
       ), copy AS (
         INSERT INTO shard (id, batch_id, agent_id, item_count, expires_at, speculative)
         SELECT $1, (SELECT batch_id FROM straggler), $8, count(*), now() + make_interval(secs => $9::float8 / 1000), true
         FROM candidates HAVING count(*) > 0
         RETURNING id, batch_id, epoch, expires_at
       ), copied AS (
         UPDATE item SET spec_shard_id = c.id, spec_epoch = c.epoch
         FROM copy c, candidates p WHERE item.id = p.id
         RETURNING ${ASSIGNED_ITEM}
       )
       ${leasedRows("copied", "copy")}`,
      [request.shardId, ...capabilityParams(request), request.maxItems, request.agentId, request.leaseTtlMs, request.minAgeMs],
    );
    return toLease(request.shardId, rows);
  },

  /**
   * Extends the agent's live leases that it names with their current epoch.
   * A lease already past its expiry is not revived: the returned list is
   * exactly what the agent may keep working on.
   */
  async renew(db: Database, agentId: string, leases: readonly { shardId: string; epoch: number }[], leaseTtlMs: number) {
    if (leases.length === 0) return [];
    // On connections of their own: a pool full of slow work must not cost an agent its lease.
    const rows = await db.queryUrgent<{ shardId: string; epoch: string }>(
      `UPDATE shard SET expires_at = now() + make_interval(secs => $4::float8 / 1000)
       WHERE agent_id = $1 AND state = 'leased' AND expires_at > now()
         AND (id, epoch) IN (SELECT * FROM unnest($2::text[], $3::bigint[]))
       RETURNING id AS "shardId", epoch::text AS epoch`,
      [agentId, leases.map((l) => l.shardId), leases.map((l) => l.epoch), leaseTtlMs],
    );
    return rows.map((row) => ({ shardId: row.shardId, epoch: Number(row.epoch) }));
  },

  /**
   * Ends expired leases and returns their unfinished items to the queue with
   * attempts + 1 (or fails them at the batch's attempt limit). Returns the
   * affected batches and how many of their items failed.
   */
  async sweepExpired(db: Database) {
    return settleShards(db, `state = 'leased' AND expires_at <= now()`, [], {
      shardState: "expired",
      chargeAttempt: true,
      error: "lease expired: the agent stopped renewing it",
    });
  },

  /** The agent holding the shard finished it; anything it did not report goes back to the queue. Any other agent's word changes nothing. */
  async finish(db: Database, shardId: string, epoch: number, agentId: string) {
    return settleShards(db, `id = $1 AND epoch = $2 AND state = 'leased' AND agent_id = $3`, [shardId, epoch, agentId], {
      shardState: "done",
      chargeAttempt: true,
      error: "the agent ended the shard without reporting this item",
    });
  },

  /** The agent handed the shard back (drain, shutdown): its items requeue at no cost. */
  async release(db: Database, shardId: string, epoch: number, agentId: string) {
    return settleShards(db, `id = $1 AND epoch = $2 AND state = 'leased' AND agent_id = $3`, [shardId, epoch, agentId], {
      shardState: "released",
      chargeAttempt: false,
      error: "",
    });
  },

  /** Every live lease an agent holds (after a coordinator restart the agent re-announces them). */
  async liveShardsOf(db: Database, agentId: string) {
    const rows = await db.query<{ shardId: string; epoch: string }>(
      `SELECT id AS "shardId", epoch::text AS epoch FROM shard WHERE agent_id = $1 AND state = 'leased'`,
      [agentId],
    );
    return rows.map((row) => ({ shardId: row.shardId, epoch: Number(row.epoch) }));
  },
};

export interface SettledShards {
  /** How many shards ended. */
  shards: number;
  /** Per batch touched: items back in the queue, and items that ran out of attempts. */
  batches: { batchId: string; requeued: number; failed: number }[];
}

function toLease(shardId: string, rows: readonly LeasedRow[]): Lease | undefined {
  const first = rows[0];
  if (!first) return undefined;
  return {
    shardId,
    batchId: first.batchId,
    batchCreatedAtMs: Math.round(first.batchCreatedAtMs),
    tenantId: first.tenantId,
    epoch: Number(first.epoch),
    expiresAtMs: Math.round(first.expiresAtMs),
    settings: { model: first.model, width: first.width, height: first.height, steps: first.steps, guidance: first.guidance, sampler: first.sampler, ...first.options },
    items: rows.map((row) => ({ itemId: row.itemId, index: row.index, prompt: row.prompt, negativePrompt: row.negativePrompt, seed: Number(row.seed) })),
  };
}

// Of an item being settled: its own shard ended; a live copy of it can take it over; it goes back to the queue.
const OWN = "item.shard_id IN (SELECT id FROM ended)";
const PROMOTE = "(item.spec_shard_id IS NOT NULL AND item.spec_shard_id NOT IN (SELECT id FROM ended))";
const REQUEUE = `(${OWN} AND NOT ${PROMOTE})`;

async function settleShards(
  db: Database,
  where: string,
  params: unknown[],
  options: { shardState: string; chargeAttempt: boolean; error: string },
): Promise<SettledShards> {
  const n = params.length;
  const attempts = options.chargeAttempt ? "item.attempts + 1" : "item.attempts";
  const rows = await db.query<{ shards: number; batches: { batchId: string; requeued: number; failed: number }[] }>(
    `WITH ended AS (
       UPDATE shard SET state = $${n + 1}, ended_at = now() WHERE ${where} RETURNING id
     ), candidates AS (
       -- The items of the ended shards and those they held copies of, each
       -- found through its own shard-id index, then taken by primary key
       -- (their state compared as state || '', which no index serves). In
       -- one condition, the OR of the two kept either index from being used,
       -- and every leased item of the farm was read to settle one shard.
       SELECT id FROM item WHERE shard_id IS NOT NULL AND shard_id = ANY (ARRAY(SELECT id FROM ended))
       UNION
       SELECT id FROM item WHERE spec_shard_id IS NOT NULL AND spec_shard_id = ANY (ARRAY(SELECT id FROM ended))
     ), settled AS (
       -- Per unfinished item: its own shard ended (with a live speculative
       -- copy, the copy takes the item over at no cost; without, it goes back
       -- to the queue), or only its copy ended (the item stays where it is).
       -- Judged on the row as it is when locked, not as the statement began.
       UPDATE item SET
         attempts = CASE WHEN ${REQUEUE} THEN ${attempts} ELSE item.attempts END,
         lost_leases = item.lost_leases + CASE WHEN ${REQUEUE} THEN ${options.chargeAttempt ? 1 : 0} ELSE 0 END,
         state = CASE WHEN NOT ${REQUEUE} THEN 'leased' WHEN ${attempts} >= b.max_attempts THEN 'failed' ELSE 'queued' END,
         last_error = CASE WHEN ${REQUEUE} AND $${n + 2} <> '' THEN $${n + 2} ELSE item.last_error END,
         shard_id = CASE WHEN NOT ${OWN} THEN item.shard_id WHEN ${PROMOTE} THEN item.spec_shard_id END,
         lease_epoch = CASE WHEN NOT ${OWN} THEN item.lease_epoch WHEN ${PROMOTE} THEN item.spec_epoch END,
         spec_shard_id = NULL, spec_epoch = NULL
       FROM batch b
       WHERE item.id = ANY (ARRAY(SELECT id FROM candidates)) AND item.state || '' = 'leased' AND (${OWN} OR item.spec_shard_id IN (SELECT id FROM ended))
         AND b.id = item.batch_id
       RETURNING item.batch_id, item.state
     ), per_batch AS (
       SELECT batch_id AS "batchId", count(*) FILTER (WHERE state = 'queued')::int AS requeued,
              count(*) FILTER (WHERE state = 'failed')::int AS failed
       FROM settled GROUP BY batch_id
     ), counted AS (
       UPDATE batch SET failed = batch.failed + p.failed FROM per_batch p WHERE batch.id = p."batchId" AND p.failed > 0
     )
     SELECT (SELECT count(*) FROM ended)::int AS shards,
            coalesce((SELECT json_agg(per_batch) FROM per_batch), '[]'::json) AS batches`,
    [...params, options.shardState, options.error],
  );
  return rows[0] ?? { shards: 0, batches: [] };
}
