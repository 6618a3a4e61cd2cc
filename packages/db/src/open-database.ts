import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { startCopyIn, type CopyIn } from "./copy-in.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { PRISMA_COMPATIBLE_TYPES } from "./result-types.ts";

export type DatabaseOptions =
  /**
   * `poolSize` connections (default 10) for everything but lease renewals,
   * which have two of their own; a query waits at most `acquireTimeoutMs`
   * (default 5000) for a connection, then fails with DatabaseBusyError.
   * Bulk loads (COPY) hold connections of their own, `copyPoolSize` (default
   * 4) at most: a submission stream keeps its COPY open while the client
   * sends, and slow or stalled clients must not take the connections that
   * every other call needs.
   */
  | { url: string; poolSize?: number; acquireTimeoutMs?: number; copyPoolSize?: number }
  /** Embedded Postgres (PGlite); `dataDir` undefined keeps it in memory. */
  | { embedded: { dataDir?: string } };

/**
 * One handle on the database: the Prisma client for ordinary reads and
 * writes, `query` for the hot-path SQL (same connections: on Postgres
 * straight through the pg pool, on PGlite through Prisma's raw API, typed
 * alike), and `withScriptSession` for multi-statement scripts such as migrations.
 */
export interface Database {
  readonly prisma: PrismaClient;
  readonly kind: "postgres" | "pglite";
  /** One statement, in a transaction of its own; one that Postgres aborts to break a deadlock is run again. */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
  /**
   * As `query`, on connections kept for lease renewals: a pool full of slow
   * work must not cost an agent its lease. Keep it to short statements.
   */
  queryUrgent<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs `work` on one dedicated connection that accepts multi-statement scripts. */
  withScriptSession<T>(work: (exec: (sql: string) => Promise<void>) => Promise<T>): Promise<T>;
  /**
   * Starts a `COPY ... FROM STDIN` on a connection of the bulk-load pool. Undefined on PGlite, whose single connection takes no COPY stream:
   * callers fall back to set-based INSERTs.
   */
  readonly copyIn?: (sql: string) => Promise<CopyIn>;
  close(): Promise<void>;
}

export interface QueryOptions {
  /**
   * Keeps the statement prepared under this name on each connection: Postgres
   * parses it once per connection and, after five runs, may keep one generic
   * plan instead of planning it again for every call (naming three statements
   * cut Postgres's CPU per image on the dispatch path by about 40%:
   * test/bench/README.md, "Prepared hot statements"). Only for statements whose good plan does not
   * depend on the values given, with a test of their generic plan; one name
   * per statement text. PGlite ignores it.
   */
  prepareAs?: string;
}

type ScriptSession = Database["withScriptSession"];

/** Postgres's SQLSTATE for "deadlock detected", and how often a statement it aborted is tried in all. */
const DEADLOCK_DETECTED = "40P01";
const DEADLOCK_ATTEMPTS = 4;

/** Every connection stayed in use for the whole wait: the caller should come back shortly. */
export class DatabaseBusyError extends Error {
  override name = "DatabaseBusyError";
  constructor(readonly connections: number, readonly waitedMs: number, options?: ErrorOptions) {
    super(`the database is busy: all ${connections} connections stayed in use for ${waitedMs} ms`, options);
  }
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if ("embedded" in options) {
    // Loaded only here: PGlite's WebAssembly Postgres costs about 40 MB resident once imported.
    const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import("@electric-sql/pglite"), import("pglite-prisma-adapter")]);
    const lite = await PGlite.create(options.embedded.dataDir);
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
    // PGlite has a single connection: every script already runs on it.
    const withScriptSession: ScriptSession = (work) => work((sql) => lite.exec(sql).then(() => undefined));
    return wrap(prisma, "pglite", withScriptSession, () => lite.close());
  }
  // The hot-path SQL goes straight through this pool: Prisma's raw API would
  // add about 0.2 ms of CPU per statement and, at its first statement, load
  // its query compiler (about 50 MB resident). Prisma is made, over the same
  // pool, only if something asks for it; COPY streams share the pool too.
  const poolOptions = { connectionString: options.url, types: PRISMA_COMPATIBLE_TYPES, connectionTimeoutMillis: options.acquireTimeoutMs ?? 5_000 };
  const pool = new pg.Pool({ ...poolOptions, max: options.poolSize ?? 10 });
  const urgent = new pg.Pool({ ...poolOptions, max: 2 });
  const copies = new pg.Pool({ ...poolOptions, max: options.copyPoolSize ?? 4 });
  // An idle connection that breaks (Postgres restarted) leaves the pool; the next query opens another.
  pool.on("error", () => {});
  urgent.on("error", () => {});
  copies.on("error", () => {});
  // pg-pool's words for "no connection came free in time": said only by a call that queued behind a
  // full pool. (Not checked against the pool's count now: a connection discarded a moment before the
  // timer fired leaves the pool one short until its socket has closed, yet the call was still refused.)
  const busyOr = (on: pg.Pool, error: unknown) =>
    (error as Error).message === "timeout exceeded when trying to connect"
      ? new DatabaseBusyError(on.options.max ?? 0, poolOptions.connectionTimeoutMillis, { cause: error })
      : error;
  const queryOn = (on: pg.Pool) => async <T>(text: string, params: readonly unknown[] = [], options: QueryOptions = {}) => {
    const values = params as unknown[];
    for (let attempt = 1; ; attempt++) {
      try {
        return (await (options.prepareAs === undefined ? on.query(text, values) : on.query({ name: options.prepareAs, text, values }))).rows as T[];
      } catch (error) {
        // Each call is one statement in a transaction of its own, so a statement that Postgres chose as a
        // deadlock's victim changed nothing and is run again. Statements that lock many rows in an order of
        // their own can meet in a cycle: cancelling a batch of 100,000 against the results of its last shards.
        if ((error as { code?: string }).code === DEADLOCK_DETECTED && attempt < DEADLOCK_ATTEMPTS) continue;
        throw busyOr(on, error);
      }
    }
  };
  const withScriptSession: ScriptSession = async (work) => {
    const client = new pg.Client({ connectionString: options.url });
    await client.connect();
    try {
      return await work((sql) => client.query(sql).then(() => undefined));
    } finally {
      await client.end();
    }
  };
  let prisma: PrismaClient | undefined;
  let closing: Promise<void> | undefined;
  return {
    get prisma() {
      prisma ??= new PrismaClient({ adapter: new PrismaPg(pool) });
      return prisma;
    },
    kind: "postgres",
    query: queryOn(pool),
    queryUrgent: queryOn(urgent),
    withScriptSession,
    copyIn: async (sql) => {
      try {
        return await startCopyIn(copies, sql);
      } catch (error) {
        throw busyOr(copies, error);
      }
    },
    close() {
      closing ??= (async () => {
        await prisma?.$disconnect();
        await Promise.all([pool.end(), urgent.end(), copies.end()]);
      })();
      return closing;
    },
  };
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
    queryUrgent: <T>(text: string, params: readonly unknown[] = []) => prisma.$queryRawUnsafe<T[]>(text, ...params),
    withScriptSession,
    close() {
      closing ??= prisma.$disconnect().then(closeDriver);
      return closing;
    },
  };
}
