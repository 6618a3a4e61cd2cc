import type { Database } from "@atelier/db";

const TABLES = ["tenant", "batch", "item", "shard", "output", "api_token", "agent_credential", "audit_event", "agent"] as const;

/** Rows per farm table: an attack's test takes them before and after, and they must not move. */
export async function rowCounts(db: Database): Promise<Record<(typeof TABLES)[number], number>> {
  const [row] = await db.query<Record<(typeof TABLES)[number], number>>(
    `SELECT ${TABLES.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(", ")}`,
  );
  return row!;
}
