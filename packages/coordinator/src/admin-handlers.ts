import type * as grpc from "@grpc/grpc-js";
import { agentCredentials, auditStore, tokenStore, type Database } from "@atelier/db";
import type { Caller } from "./auth/authenticator.ts";
import { PermissionDeniedError, ValidationError } from "./errors.ts";
import { LIMITS } from "./limits.ts";

export interface AdminDeps {
  db: Database;
  /** A revocation made here takes effect at once on this coordinator (others: within their cache's TTL). */
  forgetCredentials: () => void;
  /** Ends a revoked agent's stream to this coordinator, if it has one. */
  disconnectAgent: (agentId: string) => void;
}

type Unary<Req, Res> = (caller: Caller, call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;
type Work<Req, Res> = (caller: Caller, request: Req) => Promise<Res>;

const AUDIT_PAGE_MAX = 1_000;

/**
 * The admin half of the Farm API: tokens, enrollment and the audit log. Every
 * handler needs the admin role, and every change is written to the audit log.
 */
export function adminHandlers(deps: AdminDeps, unary: <Req, Res>(work: Work<Req, Res>) => Unary<Req, Res>) {
  const { db } = deps;
  const admin = <Req, Res>(what: string, work: Work<Req, Res>) =>
    unary<Req, Res>(async (caller, request) => {
      if (!caller.admin) throw new PermissionDeniedError(`only an admin token may ${what}`);
      return work(caller, request);
    });

  return {
    CreateToken: admin("create tokens", async (caller, request: { tenant: string; role: string; name: string }) => {
      const role = request.role || "user";
      if (role !== "user" && role !== "admin") throw new ValidationError([`role must be user or admin (got "${role.slice(0, 40)}")`]);
      if (!LIMITS.tenantName.test(request.tenant)) throw new ValidationError([`tenant "${request.tenant.slice(0, 80)}" must be 1-64 letters, digits, _ or -`]);
      if (request.name.length > 200) throw new ValidationError([`name must be at most 200 characters (got ${request.name.length})`]);
      const created = await tokenStore.create(db, { tenantId: request.tenant, role, name: request.name });
      await auditStore.record(db, { actor: caller.actor, action: "token.create", target: created.id, detail: { tenant: request.tenant, role, name: request.name } });
      return { id: created.id, token: created.token, tenant: request.tenant, role };
    }),

    ListTokens: admin("list tokens", async (_caller, request: { tenant: string }) => ({
      tokens: (await tokenStore.list(db, request.tenant ? { tenantId: request.tenant } : {})).map((token) => ({
        id: token.id,
        tenant: token.tenantId,
        role: token.role,
        name: token.name,
        createdAtMs: token.createdAt.getTime(),
        revokedAtMs: token.revokedAt?.getTime() ?? 0,
      })),
    })),

    RevokeToken: admin("revoke tokens", async (caller, request: { id: string }) => {
      const revoked = await tokenStore.revoke(db, request.id);
      if (revoked) {
        deps.forgetCredentials();
        await auditStore.record(db, { actor: caller.actor, action: "token.revoke", target: request.id });
      }
      return { revoked };
    }),

    EnrollAgent: admin("enroll agents", async (caller, request: { name: string; pool: string }) => {
      let enrolled;
      try {
        enrolled = await agentCredentials.enroll(db, { agentId: request.name, pool: request.pool });
      } catch (error) {
        throw new ValidationError([(error as Error).message]);
      }
      await auditStore.record(db, { actor: caller.actor, action: "agent.enroll", target: request.name, detail: { pool: request.pool, credential: enrolled.credentialId } });
      return { agentId: request.name, credentialId: enrolled.credentialId, credential: enrolled.credential };
    }),

    RevokeAgent: admin("revoke agents", async (caller, request: { name: string }) => {
      const revoked = await agentCredentials.revoke(db, request.name);
      if (revoked > 0) {
        deps.forgetCredentials();
        deps.disconnectAgent(request.name);
        await auditStore.record(db, { actor: caller.actor, action: "agent.revoke", target: request.name, detail: { credentials: revoked } });
      }
      return { revoked };
    }),

    ListAuditEvents: admin("read the audit log", async (_caller, request: { limit: number; before: string }) => {
      if (request.before && !LIMITS.rowId.test(request.before)) throw new ValidationError(["before must be an audit event's id"]);
      const rows = await auditStore.list(db, { limit: Math.min(request.limit || 100, AUDIT_PAGE_MAX), ...(request.before ? { before: request.before } : {}) });
      return {
        events: rows.map((row) => ({ id: row.id, atMs: row.at.getTime(), actor: row.actor, action: row.action, target: row.target, detailJson: JSON.stringify(row.detail) })),
      };
    }),
  };
}
