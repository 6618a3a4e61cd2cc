import type * as grpc from "@grpc/grpc-js";
import { agentCredentials, tokenStore, type Database, type EnrolledAgent } from "@atelier/db";
import { UnauthenticatedError } from "../errors.ts";

/** Who is calling the Farm API: a tenant's token, an admin's, or the dashboard acting for an admin. */
export interface Caller {
  /** For the audit log: `token:<id>`, or `bootstrap` for the dashboard's bootstrap secret. */
  actor: string;
  tenantId: string;
  admin: boolean;
}

export interface AuthenticatorOptions {
  /** How long a verdict (valid or not) is reused: revocation takes effect within this. */
  cacheTtlMs: number;
  /** Verdicts kept at most; the oldest go first. */
  cacheEntries?: number;
  now?: () => number;
}

interface Verdict<T> {
  value: Promise<T | null>;
  expiresAt: number;
}

const BEARER = /^Bearer (\S{1,256})$/;

/**
 * Checks bearer credentials from gRPC metadata against the database, with a
 * short cache so that a hot submit path costs no query per call. A bad
 * credential is cached too: a client retrying one in a loop costs one query
 * per TTL, not one per call. Every refusal says the same thing, so that a
 * caller learns nothing about which tokens exist.
 */
export class Authenticator {
  private readonly tenants = new Map<string, Verdict<Caller>>();
  private readonly agents = new Map<string, Verdict<EnrolledAgent>>();
  private readonly now: () => number;

  constructor(private readonly db: Database, private readonly options: AuthenticatorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The tenant caller of a Farm call; throws UnauthenticatedError. */
  async tenant(metadata: grpc.Metadata): Promise<Caller> {
    const token = bearer(metadata);
    const caller = token
      ? await this.cached(this.tenants, token, async () => {
          const found = await tokenStore.verify(this.db, token);
          return found && { actor: `token:${found.id}`, tenantId: found.tenantId, admin: found.role === "admin" };
        })
      : null;
    if (!caller) {
      throw new UnauthenticatedError("a valid API token is required: send `authorization: Bearer atl_…` (create one with `atelier tokens create --tenant NAME`)");
    }
    return caller;
  }

  /** The enrolled agent of an AgentLink stream; throws UnauthenticatedError. */
  async agent(metadata: grpc.Metadata): Promise<EnrolledAgent> {
    const credential = bearer(metadata);
    const agent = credential ? await this.cached(this.agents, credential, () => agentCredentials.verify(this.db, credential)) : null;
    if (!agent) throw new UnauthenticatedError("a valid agent credential is required (enroll one with `atelier agents enroll --name NAME`)");
    return agent;
  }

  /** Drops every cached verdict: a revocation made here takes effect at once. */
  forget(): void {
    this.tenants.clear();
    this.agents.clear();
  }

  private cached<T>(cache: Map<string, Verdict<T>>, key: string, verify: () => Promise<T | null>): Promise<T | null> {
    const now = this.now();
    const hit = cache.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    cache.delete(key);
    const value = verify();
    // A failed lookup (database down) is not a verdict: the next call asks again.
    value.catch(() => cache.get(key)?.value === value && cache.delete(key));
    cache.set(key, { value, expiresAt: now + this.options.cacheTtlMs });
    const limit = this.options.cacheEntries ?? 10_000;
    for (const oldest of cache.keys()) {
      if (cache.size <= limit) break;
      cache.delete(oldest);
    }
    return value;
  }
}

function bearer(metadata: grpc.Metadata): string | undefined {
  const values = metadata.get("authorization");
  if (values.length !== 1 || typeof values[0] !== "string") return undefined;
  return BEARER.exec(values[0])?.[1];
}
