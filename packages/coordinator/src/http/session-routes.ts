import type { Counter } from "prom-client";
import type { Logger } from "@atelier/common";
import { auditStore, tokenStore, type Database } from "@atelier/db";
import { sameSecret, type AdminPrincipal, type AdminSessions } from "./admin-sessions.ts";
import { HttpError, readJson, sendJson } from "./http-io.ts";
import type { LoginThrottle } from "./login-throttle.ts";
import { crossSiteRefusal, sessionCookie, sessionCookieHeader, type TrustedProxies } from "./request-guard.ts";
import type { Route } from "./router.ts";

export interface SessionRoutesDeps {
  db: Database;
  /** The bootstrap secret: ATELIER_ADMIN_TOKEN, or the one generated at start. */
  adminToken: string;
  sessions: AdminSessions;
  throttle: LoginThrottle;
  proxies: TrustedProxies;
  sessionMaxAgeMs: number;
  signIns: Counter<"outcome">;
  endStreams: (sessionId: string) => void;
  log: Logger;
}

export const NOT_AN_ADMIN_TOKEN = "that is not an admin token";

/**
 * Who `token` signs in as: the bootstrap secret, or a live API token with
 * the admin role; null for anything else (a user token included: tenants
 * get no dashboard). A token session asks again whether its token still
 * stands, so that revoking the token ends the sessions it opened.
 */
export async function adminPrincipal(db: Database, token: string, bootstrap: string): Promise<AdminPrincipal | null> {
  if (sameSecret(token, bootstrap)) return { actor: "bootstrap" };
  const found = await tokenStore.verify(db, token);
  if (found?.role !== "admin") return null;
  return { actor: `token:${found.id}`, stillValid: async () => (await tokenStore.verify(db, token))?.role === "admin" };
}

/**
 * Sign-in with an admin token, the session it opens, and sign-out; both are
 * written to the audit log. The token never appears in a URL the server
 * sees: the printed sign-in link carries it in the fragment, and the page
 * posts it here.
 */
export function sessionRoutes(deps: SessionRoutesDeps): Route[] {
  const { sessions, proxies, db } = deps;
  return [
    {
      method: "GET",
      path: "/api/session",
      handler: async ({ session }) => {
        if (!session) throw new HttpError(401, "sign in with the admin token");
        return { csrfToken: session.csrfToken, expiresAtMs: sessions.expiresAtMs(session) };
      },
    },
    {
      method: "POST",
      path: "/api/session",
      public: true,
      handler: async ({ request, response }) => {
        const refusal = crossSiteRefusal(request);
        if (refusal) throw new HttpError(403, refusal);
        const address = proxies.clientAddress(request);
        const waitMs = deps.throttle.retryAfterMs(address);
        if (waitMs > 0) {
          deps.signIns.inc({ outcome: "throttled" });
          throw new HttpError(429, `too many wrong tokens; try again in ${Math.ceil(waitMs / 1000)} s`, { "retry-after": String(Math.ceil(waitMs / 1000)) });
        }
        const body = (await readJson(request, 4 * 1024)) as { token?: unknown };
        const principal = typeof body.token === "string" ? await adminPrincipal(db, body.token, deps.adminToken) : null;
        if (!principal) {
          deps.throttle.fail(address);
          deps.signIns.inc({ outcome: "refused" });
          deps.log.warn({ address }, "dashboard sign-in refused: not an admin token");
          throw new HttpError(401, NOT_AN_ADMIN_TOKEN);
        }
        // Recorded before the session exists: a sign-in the audit log cannot hold does not happen.
        await auditStore.record(db, { actor: principal.actor, action: "session.sign-in", detail: { address } });
        deps.throttle.succeed(address);
        deps.signIns.inc({ outcome: "ok" });
        const https = proxies.isHttps(request);
        // A new id at every sign-in: a cookie planted before it is worth nothing after.
        const previous = sessionCookie(request, https);
        if (previous) deps.endStreams(previous);
        const session = sessions.create(principal, previous);
        deps.log.info({ address, actor: principal.actor }, "dashboard sign-in");
        sendJson(request, response, 200, { csrfToken: session.csrfToken, expiresAtMs: sessions.expiresAtMs(session) }, {
          "set-cookie": sessionCookieHeader(https, session.id, Math.floor(deps.sessionMaxAgeMs / 1000)),
        });
        return undefined;
      },
    },
    {
      method: "DELETE",
      path: "/api/session",
      handler: async ({ request, response, session }) => {
        if (session) {
          sessions.end(session.id);
          deps.endStreams(session.id);
          // Signing out never fails: the session is gone whether or not the log could take the line.
          await auditStore.record(db, { actor: session.principal.actor, action: "session.sign-out", detail: { address: proxies.clientAddress(request) } })
            .catch((error: unknown) => deps.log.error({ err: error, actor: session.principal.actor }, "sign-out not written to the audit log"));
        }
        response.writeHead(204, { "set-cookie": sessionCookieHeader(proxies.isHttps(request), "", 0), "cache-control": "no-store" }).end();
        return undefined;
      },
    },
  ];
}
