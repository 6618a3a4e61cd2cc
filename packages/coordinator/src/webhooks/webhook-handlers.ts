import { randomBytes } from "node:crypto";
import type * as grpc from "@grpc/grpc-js";
import { auditStore, WEBHOOK_EVENT_TYPES, webhookStore, type Database, type WebhookEndpointRow, type WebhookEventType } from "@atelier/db";
import type { WebhookEndpoint } from "@atelier/protocol";
import type { Caller } from "../auth/authenticator.ts";
import { NotFoundError, PermissionDeniedError, QuotaError, ValidationError } from "../errors.ts";
import { LIMITS } from "../limits.ts";
import type { WebhookAddressPolicy } from "./webhook-address-policy.ts";
import { newWebhookSecret } from "./webhook-signature.ts";

type Unary<Req, Res> = (caller: Caller, call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;
type Work<Req, Res> = (caller: Caller, request: Req) => Promise<Res>;

export const WEBHOOK_LIMITS = {
  maxUrlChars: 2_000,
  maxEndpointsPerTenant: 20,
  /** A rotated secret signs beside the new one this long unless asked otherwise. */
  defaultOverlapS: 24 * 3_600,
  maxOverlapS: 7 * 24 * 3_600,
  defaultLogRows: 50,
  maxLogRows: 500,
} as const;

const ENDPOINT_ID = /^wh_[0-9a-f]{24}$/;

function toWire(row: WebhookEndpointRow): WebhookEndpoint {
  return { id: row.id, tenant: row.tenantId, url: row.url, events: row.events, createdAtMs: row.createdAt.getTime(), rotating: row.rotating };
}

/** The tenant a call acts for: the caller's own, or for an admin the one it names ("" = every tenant where `all` is allowed). */
function tenantFor(caller: Caller, requested: string, all: boolean): string | undefined {
  if (!caller.admin) {
    if (requested && requested !== caller.tenantId) throw new PermissionDeniedError("a tenant token manages only its own tenant's webhooks");
    return caller.tenantId;
  }
  if (!requested) {
    if (all) return undefined;
    throw new ValidationError(["tenant is required: an admin names the tenant whose webhook this is"]);
  }
  if (!LIMITS.tenantName.test(requested)) throw new ValidationError([`tenant "${requested.slice(0, 80)}" must be 1-64 letters, digits, _ or -`]);
  return requested;
}

function checkUrl(url: string, addresses: WebhookAddressPolicy): string[] {
  if (url.length > WEBHOOK_LIMITS.maxUrlChars) return [`url must be at most ${WEBHOOK_LIMITS.maxUrlChars} characters (got ${url.length})`];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [`url "${url.slice(0, 80)}" is not a URL`];
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return [`url must be http:// or https:// (got ${parsed.protocol})`];
  if (parsed.username || parsed.password) return ["url must not carry credentials: the signature authenticates the farm"];
  // A host name is checked at each delivery, against what it resolves to then.
  const refused = addresses.refusalAtRegistration(parsed);
  return refused ? [`url: ${refused}`] : [];
}

function checkEvents(events: readonly string[]): string[] {
  if (events.length === 0) return [`events must name at least one of ${WEBHOOK_EVENT_TYPES.join(", ")}`];
  const unknown = events.filter((event) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(event));
  return unknown.length > 0 ? [`events: unknown ${unknown.map((e) => `"${e.slice(0, 40)}"`).join(", ")}; known: ${WEBHOOK_EVENT_TYPES.join(", ")}`] : [];
}

/**
 * The Farm API's webhook RPCs: a tenant token manages its own endpoints, an
 * admin any tenant's; another tenant's endpoint is NOT_FOUND, as its batches
 * are. Changes are written to the audit log; secrets are returned once and
 * never logged.
 */
export function webhookHandlers(deps: { db: Database; kick: () => void; addresses: WebhookAddressPolicy }, unary: <Req, Res>(work: Work<Req, Res>) => Unary<Req, Res>) {
  const { db } = deps;
  const notFound = (id: string) => new NotFoundError(`webhook ${id.slice(0, 40)} not found`);
  const scopeOf = (caller: Caller) => (caller.admin ? undefined : caller.tenantId);

  return {
    AddWebhook: unary(async (caller, request: { tenant: string; url: string; events: string[] }) => {
      const tenantId = tenantFor(caller, request.tenant, false)!;
      const events = [...new Set(request.events)];
      const problems = [...checkUrl(request.url, deps.addresses), ...checkEvents(events)];
      if (problems.length > 0) throw new ValidationError(problems);
      if ((await webhookStore.listEndpoints(db, tenantId)).length >= WEBHOOK_LIMITS.maxEndpointsPerTenant) {
        throw new QuotaError(`tenant ${tenantId} has ${WEBHOOK_LIMITS.maxEndpointsPerTenant} webhook endpoints, the most allowed: remove one first`);
      }
      const secret = newWebhookSecret();
      const row = await webhookStore.addEndpoint(db, { id: `wh_${randomBytes(12).toString("hex")}`, tenantId, url: request.url, events: events as WebhookEventType[], secret });
      await auditStore.record(db, { actor: caller.actor, action: "webhook.add", target: row.id, detail: { tenant: tenantId, url: request.url, events } });
      return { endpoint: toWire(row), secret };
    }),

    ListWebhooks: unary(async (caller, request: { tenant: string }) => ({
      endpoints: (await webhookStore.listEndpoints(db, tenantFor(caller, request.tenant, true))).map(toWire),
    })),

    RemoveWebhook: unary(async (caller, request: { id: string }) => {
      if (!ENDPOINT_ID.test(request.id) || !(await webhookStore.removeEndpoint(db, scopeOf(caller), request.id))) throw notFound(request.id);
      await auditStore.record(db, { actor: caller.actor, action: "webhook.remove", target: request.id });
      return { removed: true };
    }),

    RotateWebhookSecret: unary(async (caller, request: { id: string; overlapS: number }) => {
      const overlapS = request.overlapS || WEBHOOK_LIMITS.defaultOverlapS;
      if (overlapS > WEBHOOK_LIMITS.maxOverlapS) throw new ValidationError([`overlap_s must be at most ${WEBHOOK_LIMITS.maxOverlapS} (got ${overlapS})`]);
      const secret = newWebhookSecret();
      const row = ENDPOINT_ID.test(request.id) ? await webhookStore.rotateSecret(db, scopeOf(caller), request.id, secret, overlapS * 1000) : undefined;
      if (!row) throw notFound(request.id);
      await auditStore.record(db, { actor: caller.actor, action: "webhook.rotate", target: request.id, detail: { overlapS } });
      return { endpoint: toWire(row), secret };
    }),

    ListWebhookDeliveries: unary(async (caller, request: { id: string; limit: number }) => {
      const limit = request.limit || WEBHOOK_LIMITS.defaultLogRows;
      if (limit > WEBHOOK_LIMITS.maxLogRows) throw new ValidationError([`limit must be at most ${WEBHOOK_LIMITS.maxLogRows} (got ${limit})`]);
      const scope = scopeOf(caller);
      if (!ENDPOINT_ID.test(request.id) || !(await webhookStore.listEndpoints(db, scope)).some((e) => e.id === request.id)) throw notFound(request.id);
      const rows = await webhookStore.listDeliveries(db, scope, request.id, limit);
      return {
        deliveries: rows.map((row) => ({
          id: row.id,
          messageId: row.msgId,
          eventType: row.eventType,
          state: row.state,
          attempts: row.attempts,
          lastStatus: row.lastStatus ?? 0,
          lastError: row.lastError,
          createdAtMs: row.createdAt.getTime(),
          deliveredAtMs: row.deliveredAt?.getTime() ?? 0,
          nextAttemptAtMs: row.nextAttemptAt.getTime(),
        })),
      };
    }),

    TestWebhook: unary(async (caller, request: { id: string }) => {
      const msgId = ENDPOINT_ID.test(request.id) ? await webhookStore.enqueueTest(db, scopeOf(caller), request.id, `webhook.test:${randomBytes(16).toString("hex")}`) : undefined;
      if (!msgId) throw notFound(request.id);
      deps.kick();
      return { messageId: msgId };
    }),
  };
}
