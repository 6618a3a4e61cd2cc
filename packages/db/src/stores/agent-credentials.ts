import type { Database } from "../open-database.ts";
import { hashToken, mintToken, tokenId } from "./secret-tokens.ts";

/** The agent a valid credential speaks for: its id comes from here, never from its Hello. */
export interface EnrolledAgent {
  credentialId: string;
  agentId: string;
  pool: string;
}

export interface CredentialRow extends EnrolledAgent {
  createdAt: Date;
  revokedAt: Date | null;
}

const AGENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

export const agentCredentials = {
  /**
   * Enrolls an agent id: the credential is returned once. An id with a live
   * credential is refused (revoke it first), so that one id is never two agents.
   */
  async enroll(db: Database, input: { agentId: string; pool?: string }): Promise<{ credentialId: string; credential: string }> {
    if (!AGENT_ID.test(input.agentId)) throw new Error(`agent name "${input.agentId}" must be 1-128 letters, digits, _ or -`);
    const { id, token, hash } = mintToken("atla");
    await db.prisma.$transaction(async (tx) => {
      const live = await tx.agentCredential.count({ where: { agentId: input.agentId, revokedAt: null } });
      if (live > 0) throw new Error(`agent ${input.agentId} is already enrolled; revoke its credential first (atelier agents revoke ${input.agentId})`);
      await tx.agentCredential.create({ data: { id, agentId: input.agentId, pool: input.pool ?? "", tokenHash: hash } });
    });
    return { credentialId: id, credential: token };
  },

  async list(db: Database): Promise<CredentialRow[]> {
    const rows = await db.prisma.agentCredential.findMany({ orderBy: [{ agentId: "asc" }, { createdAt: "asc" }] });
    return rows.map((row) => ({ credentialId: row.id, agentId: row.agentId, pool: row.pool, createdAt: row.createdAt, revokedAt: row.revokedAt }));
  },

  /** Revokes every live credential of an agent id (or the credential with that id); the number revoked. */
  async revoke(db: Database, agentOrCredentialId: string): Promise<number> {
    const { count } = await db.prisma.agentCredential.updateMany({
      where: { OR: [{ agentId: agentOrCredentialId }, { id: agentOrCredentialId }], revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return count;
  },

  async verify(db: Database, credential: string): Promise<EnrolledAgent | null> {
    const id = tokenId("atla", credential);
    if (!id) return null;
    const rows = await db.query<EnrolledAgent>(
      `SELECT id AS "credentialId", agent_id AS "agentId", pool FROM agent_credential WHERE token_hash = $1 AND id = $2 AND revoked_at IS NULL`,
      [hashToken(credential), id],
    );
    return rows[0] ?? null;
  },
};
