import { agentCredentials, auditStore, migrate, openDatabase, tokenStore, type Database, type TokenRole } from "@atelier/db";

/**
 * Token and enrollment administration straight on the database, for an
 * operator who runs beside `atelier up` with the same DATABASE_URL: what the
 * admin RPCs do, without needing an admin token first. Acts are audited as
 * `local`.
 */
export async function openLocalAdmin(databaseUrl: string) {
  const db = await openOperatorDatabase(databaseUrl);
  return { ...localAdmin(db), close: () => db.close() };
}

/** The farm's database as an operator's command opens it beside `atelier up`: a small pool, migrations applied. */
export async function openOperatorDatabase(databaseUrl: string): Promise<Database> {
  const db = await openDatabase({ url: databaseUrl, poolSize: 2 });
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/** The same, on a database this process already has open (the demo's embedded one, `atelier up`'s first start). */
export function localAdmin(db: Database) {
  const audit = (action: string, target: string, detail: Record<string, unknown> = {}) => auditStore.record(db, { actor: "local", action, target, detail });
  return {
    async createToken(request: { tenant: string; role: TokenRole; name: string }) {
      const created = await tokenStore.create(db, { tenantId: request.tenant, role: request.role, name: request.name });
      await audit("token.create", created.id, { tenant: request.tenant, role: request.role, name: request.name });
      return { id: created.id, token: created.token, tenant: request.tenant, role: request.role };
    },
    async listTokens(tenant: string) {
      return (await tokenStore.list(db, tenant ? { tenantId: tenant } : {})).map((t) => ({
        id: t.id, tenant: t.tenantId, role: t.role, name: t.name, createdAtMs: t.createdAt.getTime(), revokedAtMs: t.revokedAt?.getTime() ?? 0,
      }));
    },
    async revokeToken(id: string) {
      const revoked = await tokenStore.revoke(db, id);
      if (revoked) await audit("token.revoke", id);
      return revoked;
    },
    async enrollAgent(name: string, pool: string) {
      const enrolled = await agentCredentials.enroll(db, { agentId: name, pool });
      await audit("agent.enroll", name, { pool, credential: enrolled.credentialId });
      return { agentId: name, credentialId: enrolled.credentialId, credential: enrolled.credential };
    },
    async revokeAgent(name: string) {
      const revoked = await agentCredentials.revoke(db, name);
      if (revoked > 0) await audit("agent.revoke", name, { credentials: revoked });
      return revoked;
    },
    /** Whether the database holds any token at all, live or not: a first start has none. */
    async hasTokens() {
      return (await tokenStore.list(db)).length > 0;
    },
  };
}

export type LocalAdmin = ReturnType<typeof localAdmin>;
