import type { Database } from "../open-database.ts";
import { hashToken, mintToken, tokenId } from "./secret-tokens.ts";

export type TokenRole = "user" | "admin";

/** Who a valid API token speaks for. */
export interface TokenPrincipal {
  id: string;
  tenantId: string;
  role: TokenRole;
  name: string;
}

export interface TokenRow extends TokenPrincipal {
  createdAt: Date;
  revokedAt: Date | null;
}

/**
 * Tenant API tokens. Creating, listing and revoking are rare admin acts and
 * go through Prisma; `verify` is on every uncached call and is one indexed
 * lookup by hash.
 */
export const tokenStore = {
  /** Creates the token (and its tenant, if new); the secret is returned here once and never stored. */
  async create(db: Database, input: { tenantId: string; role: TokenRole; name?: string }): Promise<{ id: string; token: string }> {
    const { id, token, hash } = mintToken("atl");
    await db.prisma.$transaction([
      db.prisma.tenant.upsert({ where: { id: input.tenantId }, create: { id: input.tenantId }, update: {} }),
      db.prisma.apiToken.create({ data: { id, tenantId: input.tenantId, role: input.role, name: input.name ?? "", tokenHash: hash } }),
    ]);
    return { id, token };
  },

  async list(db: Database, filter: { tenantId?: string } = {}): Promise<TokenRow[]> {
    const rows = await db.prisma.apiToken.findMany({
      where: filter.tenantId ? { tenantId: filter.tenantId } : {},
      orderBy: [{ tenantId: "asc" }, { createdAt: "asc" }],
    });
    return rows.map((row) => ({ id: row.id, tenantId: row.tenantId, role: row.role as TokenRole, name: row.name, createdAt: row.createdAt, revokedAt: row.revokedAt }));
  },

  /** Revokes a live token; false when there is no such live token. */
  async revoke(db: Database, id: string): Promise<boolean> {
    const { count } = await db.prisma.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    return count > 0;
  },

  /** Whether any live admin token exists (a coordinator's first start creates one when none does). */
  async hasLiveAdmin(db: Database): Promise<boolean> {
    return (await db.prisma.apiToken.count({ where: { role: "admin", revokedAt: null } })) > 0;
  },

  /** The principal of a live token, or null for anything else. */
  async verify(db: Database, token: string): Promise<TokenPrincipal | null> {
    const id = tokenId("atl", token);
    if (!id) return null;
    const rows = await db.query<TokenPrincipal>(
      `SELECT id, tenant_id AS "tenantId", role, name FROM api_token WHERE token_hash = $1 AND id = $2 AND revoked_at IS NULL`,
      [hashToken(token), id],
    );
    return rows[0] ?? null;
  },
};
