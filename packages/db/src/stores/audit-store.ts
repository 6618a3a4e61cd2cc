import type { Database } from "../open-database.ts";

export interface AuditEntry {
  /** token:<id>, agent:<id>, bootstrap, or local (direct database access). */
  actor: string;
  /** e.g. token.create, token.revoke, agent.enroll, batch.cancel, agent.drain, batch.rerun, session.sign-in */
  action: string;
  target?: string;
  detail?: Record<string, unknown>;
}

export interface AuditRow extends Required<AuditEntry> {
  id: string;
  at: Date;
}

export const auditStore = {
  async record(db: Database, entry: AuditEntry): Promise<void> {
    await db.query(`INSERT INTO audit_event (actor, action, target, detail) VALUES ($1, $2, $3, $4::jsonb)`, [
      entry.actor,
      entry.action,
      entry.target ?? "",
      JSON.stringify(entry.detail ?? {}),
    ]);
  },

  /** Newest first; `before` (an id) pages back. */
  async list(db: Database, page: { limit: number; before?: string }): Promise<AuditRow[]> {
    const rows = await db.prisma.auditEvent.findMany({
      where: page.before ? { id: { lt: BigInt(page.before) } } : {},
      orderBy: { id: "desc" },
      take: page.limit,
    });
    return rows.map((row) => ({ id: String(row.id), at: row.at, actor: row.actor, action: row.action, target: row.target, detail: row.detail as Record<string, unknown> }));
  },
};
