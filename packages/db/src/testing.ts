// Test support: a fresh, migrated Postgres database per test file, so test
// files can run in parallel without seeing each other's rows.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "./migrate.ts";
import { openDatabase, type Database } from "./open-database.ts";

export const DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  db: Database;
  drop(): Promise<void>;
}

export async function createTestDatabase(adminUrl = process.env.DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL): Promise<TestDatabase> {
  const name = `atelier_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`tests need Postgres at ${adminUrl} (set DATABASE_URL): ${(error as Error).message}`, { cause: error });
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  await migrate(db);
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    db,
    drop() {
      dropped ??= (async () => {
        await db.close();
        const cleanup = new pg.Client({ connectionString: adminUrl });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await cleanup.end();
      })();
      return dropped;
    },
  };
}

export interface OpenedDatabase {
  db: Database;
  close(): Promise<void>;
}

/**
 * The two databases the farm runs on, each opened fresh and migrated:
 * Postgres (a database of its own, dropped on close) and embedded PGlite.
 * Store tests run on both, `describe.each(DATABASE_BACKENDS)`: every
 * implementation behind the Database seam passes the same tests.
 */
export const DATABASE_BACKENDS: [name: "postgres" | "pglite", open: () => Promise<OpenedDatabase>][] = [
  ["postgres", async () => {
    const test = await createTestDatabase();
    return { db: test.db, close: () => test.drop() };
  }],
  ["pglite", async () => {
    const db = await openDatabase({ embedded: {} });
    await migrate(db);
    return { db, close: () => db.close() };
  }],
];

