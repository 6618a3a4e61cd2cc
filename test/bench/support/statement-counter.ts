import type { Database } from "@atelier/db";

export interface StatementCounts {
  /** Statements sent through `query` and `queryUrgent`, and COPY streams opened. */
  total: number;
  /** The same, by statement: its text with whitespace collapsed, cut to 100 characters. */
  byStatement: Map<string, number>;
}

/**
 * The same database handle, counting every statement that goes through its
 * SQL paths (`query`, `queryUrgent`, `copyIn`), so that a benchmark can say
 * how many statements each item costs and which. Prisma calls are not
 * counted: the dispatch path does not use Prisma (only token and credential
 * administration does).
 */
export function countStatements(db: Database): { db: Database; counts: StatementCounts } {
  const counts: StatementCounts = { total: 0, byStatement: new Map() };
  // By text: the coordinator sends the same few statements over and over, and this runs on its
  // thread, so that collapsing a long statement's white space each time was counted as its CPU.
  const labels = new Map<string, string>();
  const record = (text: string) => {
    counts.total++;
    let label = labels.get(text);
    if (label === undefined) labels.set(text, (label = text.replace(/\s+/g, " ").trim().slice(0, 100)));
    counts.byStatement.set(label, (counts.byStatement.get(label) ?? 0) + 1);
  };
  const counted: Database = {
    get prisma() { return db.prisma; },
    kind: db.kind,
    query: (text, params, options) => { record(text); return db.query(text, params, options); },
    queryUrgent: (text, params) => { record(text); return db.queryUrgent(text, params); },
    withScriptSession: (work) => db.withScriptSession(work),
    ...(db.copyIn ? { copyIn: (sql: string) => { record(sql); return db.copyIn!(sql); } } : {}),
    close: () => db.close(),
  };
  return { db: counted, counts };
}

/** Transactions and rows one database has counted so far (pg_stat_database; each backend publishes its counts late, up to 10 s on a busy server). */
export async function databaseActivity(db: Database): Promise<Record<string, number>> {
  const [row] = await db.query<Record<string, string>>(
    `SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted
       FROM pg_stat_database WHERE datname = current_database()`);
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}

/** Rows each table's scans have read so far (pg_stat_user_tables), keyed `table.seq` and `table.idx`; Postgres publishes them as it does pg_stat_database. */
export async function tableReads(db: Database): Promise<Record<string, number>> {
  const rows = await db.query<{ table: string; seq: string | null; idx: string | null }>(
    `SELECT relname AS table, seq_tup_read::text AS seq, idx_tup_fetch::text AS idx FROM pg_stat_user_tables`);
  return Object.fromEntries(rows.flatMap((row) => [[`${row.table}.seq`, Number(row.seq ?? 0)], [`${row.table}.idx`, Number(row.idx ?? 0)]]));
}
