import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "atelier_session";
export const CSRF_HEADER = "x-csrf-token";

/** The session id the browser sent, if any. */
export function sessionCookie(request: IncomingMessage): string | undefined {
  for (const part of String(request.headers.cookie ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === SESSION_COOKIE) return value.join("=");
  }
  return undefined;
}

/**
 * Why a state-changing request must be refused as cross-site, or undefined
 * when it came from this origin. Browsers send Sec-Fetch-Site (and Origin on
 * POST); a page elsewhere cannot forge either. Clients that are not browsers
 * send neither, and still need the session's CSRF token, which only a
 * same-origin page can read.
 */
export function crossSiteRefusal(request: IncomingMessage): string | undefined {
  const fetchSite = request.headers["sec-fetch-site"];
  if (fetchSite !== undefined && fetchSite !== "same-origin") return `cross-site request refused (Sec-Fetch-Site: ${fetchSite})`;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return `cross-site request refused (Origin: ${origin})`;
  }
  // The scheme may differ behind a TLS-terminating proxy; host and port may not.
  if (originHost !== request.headers.host) return `cross-site request refused (Origin ${origin} is not this dashboard)`;
  return undefined;
}

export function sessionCookieHeader(request: IncomingMessage, value: string, maxAgeSeconds: number): string {
  const secure = (request.socket as { encrypted?: boolean }).encrypted === true || request.headers["x-forwarded-proto"] === "https";
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;
}
