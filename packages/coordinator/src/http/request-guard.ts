import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { AddressRanges } from "../address-ranges.ts";

export const SESSION_COOKIE = "atelier_session";
/**
 * The session cookie's name over HTTPS. A browser keeps a `__Host-` cookie
 * only when it is Secure, has Path=/ and no Domain, so no plain-HTTP page and
 * no other subdomain can plant or overwrite it.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
export const CSRF_HEADER = "x-csrf-token";
/** Sent on every dashboard response over HTTPS: browsers then refuse plain HTTP to this host for a year. */
export const HSTS_HEADER = "max-age=31536000";

/**
 * The proxies (load balancers, ingress controllers) whose word about the
 * client is believed: X-Forwarded-For and X-Forwarded-Proto count only when
 * the connection comes from one of these. From anyone else they are a
 * client's claim about itself, and ignored.
 */
export class TrustedProxies {
  private readonly ranges: AddressRanges;
  readonly size: number;

  /** `entries`: addresses ("10.0.0.7", "::1") and CIDR ranges ("10.0.0.0/8", "fd00::/8"). */
  constructor(entries: readonly string[]) {
    this.ranges = new AddressRanges(entries);
    this.size = this.ranges.size;
  }

  /** Parses ATELIER_TRUSTED_PROXIES: entries separated by commas or spaces. */
  static parse(text: string | undefined): TrustedProxies {
    return new TrustedProxies((text ?? "").split(/[\s,]+/).filter(Boolean));
  }

  trusts(address: string | undefined): boolean {
    return this.ranges.includes(address);
  }

  /**
   * The client's address: the peer's, or, behind trusted proxies, the last
   * address in X-Forwarded-For that no trusted proxy owns. Each proxy appends
   * the address it was reached from, so the list is read from the right, and
   * everything left of the first untrusted hop is the client's own claim.
   */
  clientAddress(request: IncomingMessage): string {
    let address = request.socket.remoteAddress ?? "unknown";
    if (!this.trusts(address)) return address;
    const hops = String(request.headers["x-forwarded-for"] ?? "").split(",").map((hop) => hop.trim()).filter(Boolean);
    for (const hop of hops.reverse()) {
      // A malformed hop ends what can be believed: the last proxy that wrote it is the client we know.
      if (isIP(hop) === 0) return address;
      address = hop;
      if (!this.trusts(hop)) return hop;
    }
    return address;
  }

  /** Whether the browser reached us over HTTPS: a TLS socket, or a trusted proxy that says so. */
  isHttps(request: IncomingMessage): boolean {
    if ((request.socket as { encrypted?: boolean }).encrypted === true) return true;
    if (!this.trusts(request.socket.remoteAddress)) return false;
    // The first value is the scheme the outermost proxy was reached with.
    return String(request.headers["x-forwarded-proto"] ?? "").split(",")[0]!.trim().toLowerCase() === "https";
  }
}

/** The session id the browser sent, if any: over HTTPS only the `__Host-` cookie counts. */
export function sessionCookie(request: IncomingMessage, https: boolean): string | undefined {
  const wanted = https ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
  for (const part of String(request.headers.cookie ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === wanted) return value.join("=");
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

/** Sets (or, with maxAgeSeconds 0, clears) the session cookie; host-only, never with a Domain. */
export function sessionCookieHeader(https: boolean, value: string, maxAgeSeconds: number): string {
  const attributes = `Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
  return https ? `${SECURE_SESSION_COOKIE}=${value}; ${attributes}; Secure` : `${SESSION_COOKIE}=${value}; ${attributes}`;
}
