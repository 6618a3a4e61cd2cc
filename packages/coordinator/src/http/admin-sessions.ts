import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Who signed a session in. */
export interface AdminPrincipal {
  /** For the audit log: `token:<id>` for an admin API token, `bootstrap` for ATELIER_ADMIN_TOKEN. */
  readonly actor: string;
  /**
   * Resolves false once the credential that signed in stops being valid (an
   * API token revoked); absent when it cannot be revoked (the bootstrap secret).
   */
  readonly stillValid?: () => Promise<boolean>;
}

export interface AdminSession {
  readonly id: string;
  readonly principal: AdminPrincipal;
  /** Sent back in X-CSRF-Token on every mutation; only a same-origin page can read it. */
  readonly csrfToken: string;
  readonly createdAtMs: number;
  lastSeenMs: number;
  /** When `principal.stillValid` last said yes. */
  checkedAtMs: number;
}

export interface AdminSessionOptions {
  /** A session unused for this long ends. An open dashboard keeps its session in use. */
  idleTimeoutMs: number;
  /** A session ends this long after sign-in, however busy. */
  maxAgeMs: number;
  /** Past this many sessions, the least recently used one ends. */
  maxSessions: number;
  now?: () => number;
}

const secret = () => randomBytes(32).toString("base64url");

/**
 * Dashboard sessions, in this coordinator's memory. Every sign-in creates a
 * new session id (and ends the one the browser presented, so that a planted
 * cookie never becomes signed in); sign-out ends it at once. Behind a load
 * balancer with several coordinators, route the dashboard to one of them
 * (sticky sessions): a restart signs everyone out, which is the safe side.
 */
export class AdminSessions {
  private readonly sessions = new Map<string, AdminSession>();
  private readonly now: () => number;

  constructor(private readonly options: AdminSessionOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Signs in: a fresh session, replacing `previousId` if the browser had one. */
  create(principal: AdminPrincipal, previousId?: string): AdminSession {
    if (previousId) this.sessions.delete(previousId);
    this.prune();
    while (this.sessions.size >= this.options.maxSessions) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
    const now = this.now();
    const session: AdminSession = { id: secret(), principal, csrfToken: secret(), createdAtMs: now, lastSeenMs: now, checkedAtMs: now };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, marked as used; undefined when unknown, ended or expired. */
  use(id: string | undefined): AdminSession | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const now = this.now();
    if (this.expired(session, now)) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeenMs = now;
    // Map order doubles as least-recently-used order for eviction.
    this.sessions.delete(id);
    this.sessions.set(id, session);
    return session;
  }

  /** Whether the session still exists, without marking it used. */
  isLive(id: string): boolean {
    const session = this.sessions.get(id);
    return session !== undefined && !this.expired(session, this.now());
  }

  end(id: string): void {
    this.sessions.delete(id);
  }

  expiresAtMs(session: AdminSession): number {
    return Math.min(session.createdAtMs + this.options.maxAgeMs, session.lastSeenMs + this.options.idleTimeoutMs);
  }

  get size(): number {
    return this.sessions.size;
  }

  private expired(session: AdminSession, now: number): boolean {
    return now >= this.expiresAtMs(session);
  }

  private prune(): void {
    const now = this.now();
    for (const [id, session] of this.sessions) if (this.expired(session, now)) this.sessions.delete(id);
  }
}

/** Constant-time comparison of two secrets of any length (their digests are compared). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
