import type { IncomingMessage, ServerResponse } from "node:http";
import { DatabaseBusyError, type Database } from "@atelier/db";
import { loadDashboardAssets } from "@atelier/dashboard";
import type { FarmHandlers } from "@atelier/protocol";
import type { EventBus } from "../events/index.ts";
import type { Logger } from "@atelier/common";
import type { FarmMetrics } from "../metrics.ts";
import { BUSY_RETRY_AFTER_MS } from "../errors.ts";
import type { ObjectStore } from "../storage/index.ts";
import { AdminSessions, sameSecret, type AdminSession } from "./admin-sessions.ts";
import { auditRoutes } from "./audit-routes.ts";
import { moderationRoutes } from "../policy/moderation-routes.ts";
import { batchRoutes } from "./batch-routes.ts";
import { datasetRoutes } from "./dataset-routes.ts";
import { creatorRoutes } from "./creator-routes.ts";
import { BatchRateTracker } from "./batch-rate-tracker.ts";
import { EventStreamHub } from "./event-stream.ts";
import { FarmLoadSampler } from "./farm-load-sampler.ts";
import { farmRoutes } from "./farm-routes.ts";
import { HttpError, sendJson } from "./http-io.ts";
import { LoginThrottle } from "./login-throttle.ts";
import { CSRF_HEADER, crossSiteRefusal, HSTS_HEADER, sessionCookie, TrustedProxies } from "./request-guard.ts";
import { matchRoute, type Route } from "./router.ts";
import { sessionRoutes } from "./session-routes.ts";
import { royaltyRoutes } from "./royalty-routes.ts";
import { staticFiles } from "./static-files.ts";
import { webhookRoutes } from "./webhook-routes.ts";

export interface DashboardOptions {
  db: Database;
  store: ObjectStore;
  bus: EventBus;
  log: Logger;
  /**
   * The Farm API's handlers as the signed-in admin `actor` calls them: the
   * dashboard's cancel and drain are the same calls, audited under that actor.
   */
  farm: (actor: string) => FarmHandlers;
  metrics: FarmMetrics;
  coordinatorId: string;
  heartbeatIntervalMs: number;
  /** The bootstrap sign-in secret; admin API tokens sign in as well. */
  adminToken: string;
  /** How often the farm's load is sampled for the charts and `atelier.farm.load`. */
  loadSampleIntervalMs: number;
  /** Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (ATELIER_TRUSTED_PROXIES); none by default. */
  trustedProxies?: TrustedProxies;
}

export interface Dashboard {
  /** Serves the page, its assets and /api/*; false when the path is not the dashboard's. */
  handle(request: IncomingMessage, response: ServerResponse, path: string): boolean;
  /** Idempotent. */
  close(): void;
}

const HOUR_MS = 60 * 60 * 1000;
const SESSION_MAX_AGE_MS = 7 * 24 * HOUR_MS;
/** A session opened with an API token asks this often whether the token still stands: revocation signs it out within this. */
const TOKEN_RECHECK_MS = 5_000;

/**
 * The admin dashboard on the coordinator's HTTP server: the static app, a
 * JSON API and Server-Sent Events behind an admin session. Every /api route
 * needs a session (401 and no data without one); every mutation must also
 * come from this origin and carry the session's CSRF token.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { db, store, bus, log, metrics } = options;
  const assets = await loadDashboardAssets().catch((error: Error) => {
    log.error({ err: error }, "dashboard unavailable");
    return error;
  });
  const serveStatic = staticFiles(assets);
  // Gallery images are redirected to presigned bucket URLs: allow that origin, and only it.
  const imageOrigin = new URL(await store.presignGet("csp-probe", { expiresInMs: 60_000 })).origin;
  const securityHeaders = {
    "content-security-policy": [
      "default-src 'self'",
      `img-src 'self' ${imageOrigin}`,
      "style-src 'self'",
      "script-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      // No string ever becomes markup or script: innerHTML and its kin throw, whatever a future change writes.
      "require-trusted-types-for 'script'",
      "trusted-types 'none'",
    ].join("; "),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
  };

  const proxies = options.trustedProxies ?? new TrustedProxies([]);
  const sessions = new AdminSessions({ idleTimeoutMs: 12 * HOUR_MS, maxAgeMs: SESSION_MAX_AGE_MS, maxSessions: 1_000 });
  const throttle = new LoginThrottle({ maxFailures: 10, windowMs: 5 * 60_000, maxAddresses: 10_000 });
  const sampler = new FarmLoadSampler({
    db,
    bus,
    log,
    coordinatorId: options.coordinatorId,
    intervalMs: options.loadSampleIntervalMs,
    historyMs: HOUR_MS,
    onSample: (sample) => metrics.itemsPerSecond.set(sample.imagesPerMin / 60),
  });
  const rates = new BatchRateTracker(bus, { windowMs: 60_000, forgetAfterMs: 10 * 60_000, maxBatches: 10_000 });
  const streams = new EventStreamHub({
    bus,
    coordinatorId: options.coordinatorId,
    flushMs: 250,
    heartbeatMs: 15_000,
    maxBufferedBytes: 1024 * 1024,
    isSessionLive: (id) => sessions.isLive(id),
    ratePerMin: (batchId) => rates.ratePerMin(batchId),
    onClientCount: (count) => metrics.eventStreams.set(count),
  });

  const datasets = datasetRoutes({ db, store, bus, log, fileUrlTtlMs: HOUR_MS });
  const routes: Route[] = [
    ...sessionRoutes({
      db,
      adminToken: options.adminToken,
      sessions,
      throttle,
      proxies,
      sessionMaxAgeMs: SESSION_MAX_AGE_MS,
      signIns: metrics.signIns,
      endStreams: (id) => streams.endSession(id),
      log,
    }),
    ...farmRoutes({ db, farm: options.farm, sampler, coordinatorId: options.coordinatorId, heartbeatIntervalMs: options.heartbeatIntervalMs, log }),
    ...batchRoutes({ db, store, bus, farm: options.farm, rates, log, imageUrlTtlMs: HOUR_MS }),
    ...auditRoutes({ db }),
    ...moderationRoutes({ db, store, imageUrlTtlMs: HOUR_MS }),
    ...webhookRoutes({ farm: options.farm }),
    ...royaltyRoutes({ db }),
    ...datasets.routes,
    ...creatorRoutes({ db }),
    {
      method: "GET",
      path: "/api/events",
      handler: async ({ request, response, session }) => {
        streams.open(request, response, session!.id);
        return undefined;
      },
    },
  ];

  async function api(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = request.method ?? "GET";
    const match = matchRoute(routes, method, url.pathname);
    if (!match) throw new HttpError(404, `no such API: ${url.pathname}`);
    if ("methodNotAllowed" in match) throw new HttpError(405, `use ${match.methodNotAllowed.join(" or ")}`, { allow: match.methodNotAllowed.join(", ") });
    const session = await signedIn(sessions.use(sessionCookie(request, proxies.isHttps(request))));
    if (!match.route.public) {
      if (!session) throw new HttpError(401, "sign in with the admin token");
      if (method !== "GET" && method !== "HEAD") {
        const refusal = crossSiteRefusal(request);
        if (refusal) throw new HttpError(403, refusal);
        if (!sameSecret(String(request.headers[CSRF_HEADER] ?? ""), session.csrfToken)) throw new HttpError(403, "missing or wrong CSRF token: reload the dashboard");
      }
    }
    const body = await match.route.handler({ request, response, url, params: match.params, session });
    if (body !== undefined) sendJson(request, response, 200, body);
  }

  /** The session, unless the token that opened it has since been revoked (then it ends here). */
  async function signedIn(session: AdminSession | undefined): Promise<AdminSession | undefined> {
    const { stillValid } = session?.principal ?? {};
    if (!session || !stillValid || Date.now() - session.checkedAtMs < TOKEN_RECHECK_MS) return session;
    if (await stillValid()) {
      session.checkedAtMs = Date.now();
      return session;
    }
    sessions.end(session.id);
    streams.endSession(session.id);
    log.info({ actor: session.principal.actor }, "dashboard session ended: its admin token was revoked");
    return undefined;
  }

  let closed = false;
  return {
    handle(request, response, path) {
      for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
      if (proxies.isHttps(request)) response.setHeader("strict-transport-security", HSTS_HEADER);
      if (!path.startsWith("/api/")) return serveStatic(request, response, path);
      const url = new URL(request.url ?? "/", "http://dashboard");
      api(request, response, url).catch((error: unknown) => {
        if (response.headersSent) {
          response.destroy();
          return;
        }
        if (error instanceof HttpError) {
          sendJson(request, response, error.status, { error: error.message }, error.headers);
          return;
        }
        if (error instanceof DatabaseBusyError) {
          sendJson(request, response, 503, { error: `${error.message}; retry in a moment` }, { "retry-after": String(BUSY_RETRY_AFTER_MS / 1000) });
          return;
        }
        log.error({ err: error, path }, "dashboard request failed");
        sendJson(request, response, 500, { error: "internal error; the coordinator's log has the details" });
      });
      return true;
    },
    close() {
      if (closed) return;
      closed = true;
      streams.close();
      rates.close();
      sampler.close();
      // Running exports stop and record themselves interrupted (or show so once their heartbeat is stale), to be resumed.
      datasets.close().catch((error: unknown) => log.error({ err: error }, "dataset exports did not stop cleanly"));
    },
  };
}
