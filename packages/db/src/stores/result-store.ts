import type { Database } from "../open-database.ts";
import type { BatchCounts, RenderOptions } from "../domain.ts";

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
  /** the agent's CLIP similarity of the image to its prompt */
  clipScore?: number;
  fidelity?: FidelityRecord;
}

/** The fidelity check of one image: its own prompt's score against its counter-prompts'. */
export interface FidelityRecord {
  matchesOwn: boolean;
  own: number;
  counters: { prompt: string; score: number }[];
}

/**
 * What a recorded output did to its item under a CLIP quality gate:
 * "accepted" (done; also every output of an item without a gate), "rejected"
 * (kept as an attempt, the item queued again with the next seed) or
 * "exhausted" (rejected, and no re-roll left).
 */
export type GateOutcome = "accepted" | "rejected" | "exhausted";

/**
 * `gate` says what a quality gate did when it rejected the image (absent:
 * the image is the item's). A `duplicate` is a result already recorded under the same epoch with the
 * same object (its acknowledgement was lost and the agent sent it again):
 * accepted, since the agent's work stands, but nothing was written or counted.
 */
export type OutputOutcome = { accepted: true; duplicate?: true; gate?: Exclude<GateOutcome, "accepted"> } | { accepted: false; reason: string };

export type ResultOutcome =
  | { accepted: true; counts: BatchCounts }
  | { accepted: true; duplicate: true }
  | { accepted: false; reason: string };

export interface OutputsOutcome {
  /** One per output given, in the same order. */
  outcomes: OutputOutcome[];
  /** The counts, after this statement, of every batch that gained an output. */
  batches: BatchCounts[];
}

// Retry backoff: 1 s doubling to 100 s, full jitter (docs/reliability.md).
const BACKOFF = `make_interval(secs => random() * least(100, power(2, item.attempts)))`;

/**
 * Item results, fenced by epoch: a result counts only while the item is
 * still leased under the epoch the agent names. The first valid completion
 * wins; an item has one accepted output, and under a CLIP quality gate its
 * rejected attempts beside it.
 */
export const resultStore = {
  async recordOutput(db: Database, output: RecordedOutput): Promise<ResultOutcome> {
    const { outcomes, batches } = await resultStore.recordOutputs(db, output.agentId, [output]);
    const outcome = outcomes[0]!;
    if (!outcome.accepted) return outcome;
    return outcome.duplicate ? { accepted: true, duplicate: true } : { accepted: true, counts: batches[0]! };
  },

  /** Many outputs of one agent: see recordAllOutputs. */
  recordOutputs(db: Database, agentId: string, outputs: readonly Omit<RecordedOutput, "agentId">[]): Promise<OutputsOutcome> {
    return resultStore.recordAllOutputs(db, outputs.map((output) => ({ ...output, agentId })));
  },

  /**
   * Records many outputs, of any agents, in one statement: each item is
   * marked done only if it is still leased under the epoch its output names,
   * gets its output row unless it already has one, and its batch's count
   * moves by what was recorded. Outputs of one batch per call keep
   * concurrent calls from locking batch rows in different orders.
   */
  async recordAllOutputs(db: Database, outputs: readonly RecordedOutput[]): Promise<OutputsOutcome> {
    if (outputs.length === 0) return { outcomes: [], batches: [] };
    const rows = await db.query<{ accepted: string[]; gates: string[]; batches: BatchCounts[] }>(
      `WITH given AS (
         SELECT DISTINCT ON (item_id) * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::int[], $7::int[],
                                                    $8::int[], $9::int[], $10::text[], $11::float8[], $12::text[])
           AS g(agent_id, item_id, epoch, key, sha256, bytes, width, height, render_ms, metadata, clip_score, fidelity)
         ORDER BY item_id, epoch DESC
       ), judged AS (
         -- The quality gate: an image below the item's minScore (or unscored under a gate) is rejected.
         SELECT g.*, i.seed AS attempt_seed,
                coalesce(i.options->'clip' ? 'minScore', false) AND (g.clip_score IS NULL OR g.clip_score < (i.options->'clip'->>'minScore')::float8) AS rejected,
                i.rerolls >= coalesce((i.options->'clip'->>'maxRerolls')::int, 0) AS last_try
         FROM given g JOIN item i ON i.id = g.item_id
       ), done_item AS (
         -- A rejected attempt sends the item back to the queue with the next seed (a new key, a new lease), or ends it exhausted.
         UPDATE item SET
           state = CASE WHEN NOT g.rejected THEN 'done' WHEN g.last_try THEN 'exhausted' ELSE 'queued' END,
           last_error = NULL,
           seed = CASE WHEN g.rejected AND NOT g.last_try THEN (item.seed + 1) % 4294967296 ELSE item.seed END,
           rerolls = item.rerolls + CASE WHEN g.rejected AND NOT g.last_try THEN 1 ELSE 0 END,
           shard_id = CASE WHEN g.rejected AND NOT g.last_try THEN NULL ELSE item.shard_id END,
           lease_epoch = CASE WHEN g.rejected AND NOT g.last_try THEN NULL ELSE item.lease_epoch END,
           spec_shard_id = CASE WHEN g.rejected AND NOT g.last_try THEN NULL ELSE item.spec_shard_id END,
           spec_epoch = CASE WHEN g.rejected AND NOT g.last_try THEN NULL ELSE item.spec_epoch END
         FROM judged g
         -- The ids again as an array: the item rows are then found by primary key. Joined to judged
         -- alone, the planner walked and sorted every leased item of the farm for each statement.
         -- The state is tested as an expression the (state, batch_id, id) index cannot serve: through
         -- that index the planner read every leased item of the batch to find the few named here.
         WHERE item.id = ANY($2::bigint[]) AND item.id = g.item_id AND (item.lease_epoch = g.epoch OR item.spec_epoch = g.epoch) AND item.state || '' = 'leased'
           -- Only from the agent that holds the lease: epochs are a sequence, easy to guess.
           AND EXISTS (SELECT 1 FROM shard s WHERE s.epoch = g.epoch AND s.agent_id = g.agent_id)
         RETURNING item.id, item.batch_id, item.state, g.agent_id, g.epoch, g.key, g.sha256, g.bytes, g.width, g.height, g.render_ms, g.metadata,
                   g.clip_score, g.fidelity, g.rejected, g.attempt_seed
       ), recorded AS (
         -- Each attempt has its own key (its seed is in it): a repeat of one attempt is recorded once.
         -- A flagged image is quarantined from the moment it has a row (metadata.safetyVerdict: passed | flagged, absent unchecked).
         INSERT INTO output (item_id, batch_id, key, sha256, bytes, width, height, agent_id, epoch, render_ms, metadata, clip_score, fidelity, accepted, seed,
                             safety_verdict, quarantined)
         SELECT id, batch_id, key, sha256, bytes, width, height, agent_id, epoch, render_ms, metadata::jsonb, clip_score, fidelity::jsonb, NOT rejected, attempt_seed,
                coalesce(metadata::jsonb->>'safetyVerdict', 'unchecked'), coalesce(metadata::jsonb->>'safetyVerdict' = 'flagged', false)
         FROM done_item
         ON CONFLICT (key) DO NOTHING
         RETURNING id, item_id, batch_id, agent_id, epoch, metadata
       ), contributed AS (
         -- The keywords' measured contributions (metadata.attribution), for royalty statements: only to the batch's tenant's own creators.
         INSERT INTO output_contribution (output_id, creator_id, keyword, contribution, area, intensity)
         SELECT r.id, k."creatorId", k.keyword, k.contribution, k.area, k.intensity
         FROM recorded r
         CROSS JOIN LATERAL jsonb_to_recordset(r.metadata->'attribution'->'keywords') AS k("creatorId" text, keyword text, contribution float8, area float8, intensity float8)
         JOIN batch b ON b.id = r.batch_id
         JOIN creator c ON c.id = k."creatorId" AND c.tenant_id = b.tenant_id
         -- Outputs without measurements skip the joins (the batch was looked up for every output).
         WHERE r.metadata ? 'attribution'
         ON CONFLICT DO NOTHING
       ), settled AS (
         -- The items whose output was recorded, with their new state. As an array probe: a join of
         -- the two CTEs (each estimated at one row) was a nested loop, n x n rows per statement.
         SELECT d.id, d.batch_id, d.epoch, d.state FROM done_item d WHERE d.id = ANY(ARRAY(SELECT item_id FROM recorded))
       ), finished AS (
         -- A re-rolled item is not finished: only done and exhausted items move the batch's count.
         SELECT batch_id FROM settled WHERE state <> 'queued'
       ), per_batch AS (
         SELECT batch_id, count(*)::int AS n FROM finished GROUP BY batch_id
       ), credited AS (
         UPDATE agent SET images_done = images_done + c.n, last_seen_at = now()
         FROM (SELECT agent_id, count(*) AS n FROM recorded GROUP BY agent_id) c WHERE agent.id = c.agent_id
       ), counted AS (
         UPDATE batch SET done = batch.done + p.n FROM per_batch p WHERE batch.id = p.batch_id
         RETURNING batch.id, batch.tenant_id AS "tenantId", batch.state, batch.total, batch.done, batch.failed, batch.cancelled
       )
       SELECT (SELECT coalesce(array_agg(item_id::text || '/' || epoch::text), '{}') FROM recorded) AS accepted,
              (SELECT coalesce(array_agg(id::text || '/' || epoch::text || '/' || state), '{}') FROM settled) AS gates,
              (SELECT coalesce(json_agg(counted), '[]'::json) FROM counted) AS batches`,
      [outputs.map((o) => o.agentId), outputs.map((o) => o.itemId), outputs.map((o) => o.epoch), outputs.map((o) => o.key), outputs.map((o) => o.sha256),
       outputs.map((o) => o.bytes), outputs.map((o) => o.width), outputs.map((o) => o.height), outputs.map((o) => o.renderMs),
       outputs.map((o) => JSON.stringify(o.metadata)), outputs.map((o) => o.clipScore ?? null), outputs.map((o) => (o.fidelity ? JSON.stringify(o.fidelity) : null))],
      // Its generic plan is tested in lease-plan.test.ts.
      { prepareAs: "record_outputs" },
    );
    // Keyed by item and epoch: a result is accepted only under the epoch it was recorded with.
    const accepted = new Set(rows[0]?.accepted ?? []);
    const gates = new Map<string, GateOutcome>((rows[0]?.gates ?? []).map((entry) => {
      const state = entry.slice(entry.lastIndexOf("/") + 1);
      return [entry.slice(0, entry.lastIndexOf("/")), state === "done" ? "accepted" : state === "exhausted" ? "exhausted" : "rejected"];
    }));
    const keyOf = (o: { itemId: string; epoch: number }) => `${o.itemId}/${o.epoch}`;
    const refused = outputs.filter((o) => !accepted.has(keyOf(o)));
    const [reasons, duplicates] = await Promise.all([whyRefused(db, refused), alreadyRecorded(db, refused)]);
    // An item named twice under one epoch is recorded once: only its first mention is accepted. One sent
    // again in a later call, after its acknowledgement was lost, is a duplicate.
    const outcomes = outputs.map((o): OutputOutcome => {
      if (accepted.delete(keyOf(o))) {
        const gate = gates.get(keyOf(o));
        return gate && gate !== "accepted" ? { accepted: true, gate } : { accepted: true };
      }
      if (duplicates.has(keyOf(o))) return { accepted: true, duplicate: true };
      return { accepted: false, reason: reasons.get(keyOf(o)) ?? `item ${o.itemId} was already recorded under epoch ${o.epoch}` };
    });
    return { outcomes, batches: rows[0]?.batches ?? [] };
  },

  /**
   * A failed render: retried after a backoff unless not retryable or out of
   * attempts. A speculative copy's failure costs nothing: the item stays
   * with the shard it was copied from.
   */
  async recordFailure(db: Database, failure: { itemId: string; epoch: number; agentId: string; error: string; retryable: boolean }) {
    const copies = await db.query<BatchCounts & { itemState: string }>(
      `WITH dropped AS (
         UPDATE item SET spec_shard_id = NULL, spec_epoch = NULL
         WHERE id = $1::bigint AND spec_epoch = $2 AND state = 'leased'
           AND EXISTS (SELECT 1 FROM shard s WHERE s.epoch = $2 AND s.agent_id = $3) RETURNING batch_id
       )
       SELECT b.id, b.tenant_id AS "tenantId", b.state, b.total, b.done, b.failed, b.cancelled, 'leased' AS "itemState"
       FROM dropped d JOIN batch b ON b.id = d.batch_id`,
      [failure.itemId, failure.epoch, failure.agentId],
    );
    if (copies[0]) {
      const { itemState, ...counts } = copies[0];
      return { accepted: true as const, itemState, counts };
    }
    const rows = await db.query<BatchCounts & { itemState: string }>(
      `WITH failed_item AS (
         UPDATE item SET
           attempts = item.attempts + 1,
           state = CASE WHEN NOT $3 OR item.attempts + 1 >= b.max_attempts THEN 'failed' ELSE 'queued' END,
           last_error = $4, shard_id = NULL, lease_epoch = NULL, spec_shard_id = NULL, spec_epoch = NULL,
           not_before = now() + ${BACKOFF}
         FROM batch b
         WHERE item.id = $1::bigint AND item.lease_epoch = $2 AND item.state = 'leased' AND b.id = item.batch_id
           AND EXISTS (SELECT 1 FROM shard s WHERE s.epoch = $2 AND s.agent_id = $5)
         RETURNING item.batch_id, item.state
       ), counted AS (
         UPDATE batch SET failed = batch.failed + 1 FROM failed_item f
         WHERE batch.id = f.batch_id AND f.state = 'failed'
         RETURNING batch.*
       )
       -- The counts after the update come from RETURNING, which sees what a
       -- concurrent failure committed while this one waited for the row;
       -- the statement's snapshot would not, and the last item's failure
       -- would then never see its batch settled.
       SELECT b.id, b.tenant_id AS "tenantId", b.state, b.total, b.done, b.failed, b.cancelled, f.state AS "itemState"
       FROM failed_item f
       JOIN LATERAL (SELECT * FROM counted UNION ALL SELECT * FROM batch WHERE id = f.batch_id AND NOT EXISTS (SELECT 1 FROM counted)) b ON true`,
      [failure.itemId, failure.epoch, failure.retryable, failure.error, failure.agentId],
    );
    const row = rows[0];
    if (!row) {
      const reasons = await whyRefused(db, [failure]);
      return { accepted: false as const, reason: reasons.get(`${failure.itemId}/${failure.epoch}`)! };
    }
    const { itemState, ...counts } = row;
    return { accepted: true as const, itemState, counts };
  },

  /**
   * Whether the agent's lease under `epoch` holds the item now: only then may
   * the coordinator clear an object at the item's key that is not what the
   * agent reported, so that garbage left there by anyone never blocks the item.
   */
  async holds(db: Database, lease: { itemId: string; epoch: number; agentId: string }): Promise<boolean> {
    const rows = await db.query(
      `SELECT 1 FROM item i JOIN shard s ON s.epoch = $2
       WHERE i.id = $1::bigint AND i.state = 'leased' AND (i.lease_epoch = $2 OR i.spec_epoch = $2) AND s.agent_id = $3`,
      [lease.itemId, lease.epoch, lease.agentId],
    );
    return rows.length > 0;
  },

  /** What an item's object key is made of and the size it renders at, for checking a result from a shard this process did not lease. */
  async identityOf(db: Database, itemId: string) {
    const rows = await db.query<{ tenantId: string; batchId: string; index: number; seed: string; width: number; height: number; options: RenderOptions }>(
      `SELECT b.tenant_id AS "tenantId", i.batch_id AS "batchId", i.index, i.seed::text AS seed, i.width, i.height, i.options
       FROM item i JOIN batch b ON b.id = i.batch_id WHERE i.id = $1::bigint`,
      [itemId],
    );
    const row = rows[0];
    return row ? { ...row, seed: Number(row.seed) } : undefined;
  },
};

/**
 * The outputs whose row already holds this agent's epoch and this very object
 * (key, sha256, size), keyed by `itemId/epoch`. Only such a repeat is
 * harmless; the same epoch with another object is still refused.
 */
async function alreadyRecorded(db: Database, outputs: readonly RecordedOutput[]): Promise<Set<string>> {
  if (outputs.length === 0) return new Set();
  const rows = await db.query<{ id: string; epoch: string }>(
    `SELECT o.item_id::text AS id, o.epoch::text AS epoch
     FROM output o JOIN unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::int[]) AS g(agent_id, item_id, epoch, key, sha256, bytes)
       ON (o.agent_id, o.item_id, o.epoch, o.key, o.sha256, o.bytes) = (g.agent_id, g.item_id, g.epoch, g.key, g.sha256, g.bytes)`,
    [outputs.map((o) => o.agentId), outputs.map((o) => o.itemId), outputs.map((o) => o.epoch), outputs.map((o) => o.key), outputs.map((o) => o.sha256),
     outputs.map((o) => o.bytes)],
  );
  return new Set(rows.map((row) => `${row.id}/${row.epoch}`));
}

/**
 * Why each result was refused, keyed by `itemId/epoch`, in one query. The
 * reasons name only what the agent sent: never the epoch that holds the item
 * now, nor who holds it (a rogue would learn what to send next).
 */
async function whyRefused(db: Database, results: readonly { itemId: string; epoch: number }[]): Promise<Map<string, string>> {
  const reasons = new Map<string, string>();
  if (results.length === 0) return reasons;
  const rows = await db.query<{ id: string; state: string }>(
    `SELECT id::text AS id, state FROM item WHERE id = ANY($1::bigint[])`,
    [results.map((r) => r.itemId)],
  );
  const items = new Map(rows.map((row) => [row.id, row]));
  for (const { itemId, epoch } of results) {
    const item = items.get(itemId);
    const reason = !item
      ? `unknown item ${itemId}`
      : item.state === "leased"
        ? `no lease of this agent under epoch ${epoch} holds item ${itemId}`
        : `item ${itemId} is ${item.state}; the lease under epoch ${epoch} no longer holds it`;
    reasons.set(`${itemId}/${epoch}`, reason);
  }
  return reasons;
}
