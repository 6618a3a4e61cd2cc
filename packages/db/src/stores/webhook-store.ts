import type { Database } from "../open-database.ts";

// Webhook endpoints and the durable state of every delivery to them. Each
// statement that moves a delivery is one atomic UPDATE, and every result of
// an attempt names the attempt it answers (`attempts`), so that the answer
// of a lease that ran out (its coordinator stalled, another took the row
// over) changes nothing: a row is marked delivered at most once.

/** The events an endpoint can subscribe to. The batch ones are derived from the batch table; the others are enqueued by the code that decides them. */
export const WEBHOOK_EVENT_TYPES = ["batch.completed", "batch.failed", "batch.cancelled", "item.exhausted", "image.quarantined"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
/** What `atelier webhooks test` sends; every endpoint receives it, subscribed or not. */
export const WEBHOOK_TEST_EVENT = "webhook.test";

export interface WebhookEndpointRow {
  id: string;
  tenantId: string;
  url: string;
  events: WebhookEventType[];
  createdAt: Date;
  /** whether a previous secret still signs (after a rotation, until it expires) */
  rotating: boolean;
}

export interface ClaimedDelivery {
  id: string;
  /** the webhook-id header */
  msgId: string;
  eventType: string;
  payload: unknown;
  /** this attempt's number, from 1; it fences the attempt's answer */
  attempt: number;
  createdAt: Date;
  url: string;
  /** the secrets that sign this attempt: the current one, and the previous one during a rotation's overlap */
  secrets: string[];
}

export interface DeliveryRow {
  id: string;
  endpointId: string;
  msgId: string;
  eventType: string;
  state: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatus: number | null;
  lastError: string;
  createdAt: Date;
  deliveredAt: Date | null;
  nextAttemptAt: Date;
}

export interface NewWebhookEvent {
  tenantId: string;
  type: WebhookEventType;
  /** identifies the event: the same key twice is one event (e.g. "item.exhausted:<item id>") */
  key: string;
  /** the payload's `data` */
  data: Record<string, unknown>;
}

// The webhook-id of an event: the same for every endpoint and every attempt.
const MSG_ID = (key: string) => `'msg_' || md5(${key})`;

const ENDPOINT_COLUMNS = `id, tenant_id AS "tenantId", url, events, created_at AS "createdAt",
  (previous_secret IS NOT NULL AND previous_secret_expires_at > now()) AS rotating`;

export const webhookStore = {
  async addEndpoint(db: Database, endpoint: { id: string; tenantId: string; url: string; events: readonly WebhookEventType[]; secret: string }): Promise<WebhookEndpointRow> {
    const [row] = await db.query<WebhookEndpointRow>(
      `INSERT INTO webhook_endpoint (id, tenant_id, url, events, secret) VALUES ($1, $2, $3, $4::text[], $5) RETURNING ${ENDPOINT_COLUMNS}`,
      [endpoint.id, endpoint.tenantId, endpoint.url, endpoint.events, endpoint.secret],
    );
    return row!;
  },

  /** A tenant's endpoints; every tenant's when `tenantId` is undefined (admins). */
  async listEndpoints(db: Database, tenantId: string | undefined): Promise<WebhookEndpointRow[]> {
    return db.query<WebhookEndpointRow>(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoint WHERE $1::text IS NULL OR tenant_id = $1 ORDER BY created_at, id`,
      [tenantId ?? null],
    );
  },

  /** Removes an endpoint of the tenant (any tenant's when undefined) and its deliveries; false when there is none. */
  async removeEndpoint(db: Database, tenantId: string | undefined, id: string): Promise<boolean> {
    const rows = await db.query(`DELETE FROM webhook_endpoint WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2) RETURNING id`, [id, tenantId ?? null]);
    return rows.length > 0;
  },

  /**
   * Replaces the endpoint's secret; the current one keeps signing beside it
   * for `overlapMs`, so that receivers can switch without a gap. Undefined
   * when the endpoint is not the tenant's.
   */
  async rotateSecret(db: Database, tenantId: string | undefined, id: string, secret: string, overlapMs: number): Promise<WebhookEndpointRow | undefined> {
    const [row] = await db.query<WebhookEndpointRow>(
      `UPDATE webhook_endpoint SET previous_secret = secret, secret = $3,
         previous_secret_expires_at = now() + make_interval(secs => $4::float8 / 1000)
       WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2) RETURNING ${ENDPOINT_COLUMNS}`,
      [id, tenantId ?? null, secret, overlapMs],
    );
    return row;
  },

  /**
   * Records an event for every endpoint of its tenant that subscribes to its
   * type; the same key again adds nothing. For code that decides events
   * (quality gate exhausted, image quarantined), inside its own transaction
   * where it has one. Returns the deliveries added.
   */
  async enqueue(db: Database, event: NewWebhookEvent): Promise<number> {
    const rows = await db.query(
      `INSERT INTO webhook_delivery (endpoint_id, msg_id, event_type, payload)
       SELECT e.id, ${MSG_ID("$3::text")}, $2, jsonb_build_object('type', $2::text, 'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data', $4::jsonb)
       FROM webhook_endpoint e WHERE e.tenant_id = $1 AND $2 = ANY(e.events)
       ON CONFLICT (endpoint_id, msg_id) DO NOTHING RETURNING id`,
      [event.tenantId, event.type, event.key, JSON.stringify(event.data)],
    );
    return rows.length;
  },

  /** A test event for one endpoint of the tenant; undefined when it is not theirs. */
  async enqueueTest(db: Database, tenantId: string | undefined, id: string, key: string): Promise<string | undefined> {
    const [row] = await db.query<{ msgId: string }>(
      `INSERT INTO webhook_delivery (endpoint_id, msg_id, event_type, payload)
       SELECT e.id, ${MSG_ID("$3::text")}, '${WEBHOOK_TEST_EVENT}',
              jsonb_build_object('type', '${WEBHOOK_TEST_EVENT}', 'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data', jsonb_build_object('endpointId', e.id))
       FROM webhook_endpoint e WHERE e.id = $1 AND ($2::text IS NULL OR e.tenant_id = $2)
       RETURNING msg_id AS "msgId"`,
      [id, tenantId ?? null, key],
    );
    return row?.msgId;
  },

  /**
   * Records the batch events that the batch table holds (completed, failed,
   * cancelled) for subscribed endpoints, from batches that finished within
   * `withinMs` and after the endpoint was added. Derived from the table, not
   * emitted where a batch ends: a coordinator that dies between ending a
   * batch and recording its event loses nothing, the next pass of any
   * coordinator records it. A batch re-run and finished again is a new event
   * (its finished_at is part of the key).
   */
  async recordBatchEvents(db: Database, withinMs: number): Promise<number> {
    const rows = await db.query(
      `INSERT INTO webhook_delivery (endpoint_id, msg_id, event_type, payload)
       SELECT e.id, ${MSG_ID(`'batch.' || b.state || ':' || b.id || ':' || (extract(epoch FROM b.finished_at) * 1000)::bigint`)}, 'batch.' || b.state,
              jsonb_build_object('type', 'batch.' || b.state,
                'timestamp', to_char(b.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'data', jsonb_build_object('batchId', b.id, 'tenant', b.tenant_id, 'name', b.name, 'state', b.state,
                  'total', b.total, 'done', b.done, 'failed', b.failed, 'cancelled', b.cancelled))
       FROM batch b JOIN webhook_endpoint e ON e.tenant_id = b.tenant_id
       WHERE b.state IN ('completed', 'failed', 'cancelled') AND b.finished_at > now() - make_interval(secs => $1::float8 / 1000)
         AND b.finished_at >= e.created_at AND 'batch.' || b.state = ANY(e.events)
       ON CONFLICT (endpoint_id, msg_id) DO NOTHING RETURNING 1`,
      [withinMs],
    );
    return rows.length;
  },

  /**
   * Claims up to `limit` due deliveries for one attempt each: counts the
   * attempt and leases the row for `leaseMs`. SKIP LOCKED: coordinators
   * claiming at once take different rows.
   */
  async claimDue(db: Database, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows = await db.query<Omit<ClaimedDelivery, "secrets"> & { secret: string; previousSecret: string | null }>(
      `UPDATE webhook_delivery d SET attempts = d.attempts + 1, lease_expires_at = now() + make_interval(secs => $2::float8 / 1000)
       FROM webhook_endpoint e
       WHERE e.id = d.endpoint_id AND d.id IN (
         SELECT id FROM webhook_delivery
         WHERE state = 'pending' AND next_attempt_at <= now() AND (lease_expires_at IS NULL OR lease_expires_at <= now())
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING d.id::text AS id, d.msg_id AS "msgId", d.event_type AS "eventType", d.payload, d.attempts AS attempt,
                 d.created_at AS "createdAt", e.url, e.secret,
                 CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS "previousSecret"`,
      [limit, leaseMs],
    );
    return rows.map(({ secret, previousSecret, ...row }) => ({ ...row, secrets: previousSecret ? [secret, previousSecret] : [secret] }));
  },

  /** The receiver accepted the attempt (2xx). False when the attempt no longer holds the row, or was answered already. */
  async markDelivered(db: Database, id: string, attempt: number, status: number): Promise<boolean> {
    const rows = await db.query(
      `UPDATE webhook_delivery SET state = 'delivered', delivered_at = now(), lease_expires_at = NULL, last_status = $3, last_error = ''
       WHERE id = $1 AND attempts = $2 AND state = 'pending' AND lease_expires_at IS NOT NULL RETURNING id`,
      [id, attempt, status],
    );
    return rows.length > 0;
  },

  /**
   * The attempt failed: the next one is due in `retryInMs`, unless that
   * falls past `retryForMs` after the event, when the delivery fails for good.
   * Returns the row's new state, or undefined when the attempt no longer holds it.
   */
  async markFailed(db: Database, id: string, attempt: number, failure: { status: number | null; error: string; retryInMs: number; retryForMs: number }) {
    const [row] = await db.query<{ state: "pending" | "failed" }>(
      `UPDATE webhook_delivery SET lease_expires_at = NULL, last_status = $3, last_error = $4,
         next_attempt_at = now() + make_interval(secs => $5::float8 / 1000),
         state = CASE WHEN now() + make_interval(secs => $5::float8 / 1000) > created_at + make_interval(secs => $6::float8 / 1000) THEN 'failed' ELSE 'pending' END
       WHERE id = $1 AND attempts = $2 AND state = 'pending' AND lease_expires_at IS NOT NULL RETURNING state`,
      [id, attempt, failure.status, failure.error.slice(0, 500), failure.retryInMs, failure.retryForMs],
    );
    return row?.state;
  },

  /** The newest deliveries of an endpoint of the tenant (any tenant's when undefined), for the delivery log. */
  async listDeliveries(db: Database, tenantId: string | undefined, endpointId: string, limit: number): Promise<DeliveryRow[]> {
    return db.query<DeliveryRow>(
      `SELECT d.id::text AS id, d.endpoint_id AS "endpointId", d.msg_id AS "msgId", d.event_type AS "eventType", d.state, d.attempts,
              d.last_status AS "lastStatus", d.last_error AS "lastError", d.created_at AS "createdAt", d.delivered_at AS "deliveredAt",
              d.next_attempt_at AS "nextAttemptAt"
       FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id
       WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR e.tenant_id = $2) ORDER BY d.id DESC LIMIT $3`,
      [endpointId, tenantId ?? null, limit],
    );
  },
};
