import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "./generated/prisma/client.ts";

export type DatabaseOptions =
  | { url: string; poolSize?: number }
  /** Embedded Postgres (PGlite); `dataDir` undefined keeps it in memory. */
  | { embedded: { dataDir?: string } };

/**
 * One handle on the database: the Prisma client for ordinary reads and
 * writes, `query` for the hot-path SQL (same connections, through Prisma's
 * raw API), and `execScript` for multi-statement scripts such as migrations.
 */
export interface Database {
  readonly prisma: PrismaClient;
  readonly kind: "postgres" | "pglite";
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs `work` on one dedicated connection that accepts multi-statement scripts. */
  withScriptSession<T>(work: (exec: (sql: string) => Promise<void>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type ScriptSession = Database["withScriptSession"];

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if ("embedded" in options) {
    const lite = await PGlite.create(options.embedded.dataDir);
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
    // PGlite has a single connection: every script already runs on it.
    const withScriptSession: ScriptSession = (work) => work((sql) => lite.exec(sql).then(() => undefined));
    return wrap(prisma, "pglite", withScriptSession, () => lite.close());
  }
  const prisma = new PrismaClient({
    adapter: new PrismaPg({ connectionString: options.url, max: options.poolSize ?? 10 }),
  });
  const withScriptSession: ScriptSession = async (work) => {
    const client = new pg.Client({ connectionString: options.url });
    await client.connect();
    try {
      return await work((sql) => client.query(sql).then(() => undefined));
    } finally {
      await client.end();
    }
  };
  return wrap(prisma, "postgres", withScriptSession, async () => {});
}

function wrap(
  prisma: PrismaClient,
  kind: Database["kind"],
  withScriptSession: ScriptSession,
  closeDriver: () => Promise<void>,
): Database {
  let closing: Promise<void> | undefined;
  return {
    prisma,
    kind,
    query: <T>(text: string, params: readonly unknown[] = []) => prisma.$queryRawUnsafe<T[]>(text, ...params),
    withScriptSession,
    close() {
      closing ??= prisma.$disconnect().then(closeDriver);
      return closing;
    },
  };
}
