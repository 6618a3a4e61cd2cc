import type { IncomingMessage } from "node:http";
import type { Counter } from "prom-client";
import type { Logger } from "../logger.ts";
import { sameSecret, type AdminSessions } from "./admin-sessions.ts";
import { HttpError, readJson, sendJson } from "./http-io.ts";
import type { LoginThrottle } from "./login-throttle.ts";
import { crossSiteRefusal, sessionCookie, sessionCookieHeader } from "./request-guard.ts";
import type { Route } from "./router.ts";

export interface SessionRoutesDeps {
  adminToken: string;
  sessions: AdminSessions;
  throttle: LoginThrottle;
  sessionMaxAgeMs: number;
  signIns: Counter<"outcome">;
  endStreams: (sessionId: string) => void;
  log: Logger;
}

/**
 * Sign-in with the admin token, the session it opens, and sign-out.
 * The token never appears in a URL the server sees: the printed sign-in
 * link carries it in the fragment, and the page posts it here.
 */
export function sessionRoutes(deps: SessionRoutesDeps): Route[] {
  const { sessions } = deps;
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
        const address = clientAddress(request);
        const waitMs = deps.throttle.retryAfterMs(address);
        if (waitMs > 0) {
          deps.signIns.inc({ outcome: "throttled" });
          throw new HttpError(429, `too many wrong tokens; try again in ${Math.ceil(waitMs / 1000)} s`, { "retry-after": String(Math.ceil(waitMs / 1000)) });
        }
        const body = (await readJson(request, 4 * 1024)) as { token?: unknown };
        if (typeof body.token !== "string" || !sameSecret(body.token, deps.adminToken)) {
          deps.throttle.fail(address);
          deps.signIns.inc({ outcome: "refused" });
          deps.log.warn({ address }, "dashboard sign-in refused: wrong admin token");
          throw new HttpError(401, "that is not the admin token");
        }
        deps.throttle.succeed(address);
        deps.signIns.inc({ outcome: "ok" });
        // A new id at every sign-in: a cookie planted before it is worth nothing after.
        const previous = sessionCookie(request);
        if (previous) deps.endStreams(previous);
        const session = sessions.create(previous);
        deps.log.info({ address }, "dashboard sign-in");
        sendJson(request, response, 200, { csrfToken: session.csrfToken, expiresAtMs: sessions.expiresAtMs(session) }, {
          "set-cookie": sessionCookieHeader(request, session.id, Math.floor(deps.sessionMaxAgeMs / 1000)),
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
        }
        response.writeHead(204, { "set-cookie": sessionCookieHeader(request, "", 0), "cache-control": "no-store" }).end();
        return undefined;
      },
    },
  ];
}

function clientAddress(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? "unknown";
}
