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


/**
 * Synthetic outputs for statement tests: a batch of the tenant with `count`
 * done items, each with an output made at `createdAt` and one contribution
 * row per entry of `contributions`. Set-based: 30,000 take about a second.
 */
export async function insertSyntheticOutputs(
  db: Database,
  input: { tenantId: string; count: number; createdAt: Date; prompt: string; contributions: { creatorId: string; keyword: string; contribution: number }[] },
): Promise<{ batchId: string }> {
  const batchId = `synthetic-${randomBytes(6).toString("hex")}`;
  await db.query(`INSERT INTO tenant (id) VALUES ($1) ON CONFLICT DO NOTHING`, [input.tenantId]);
  await db.query(`INSERT INTO batch (id, tenant_id, state, defaults, total, done) VALUES ($1, $2, 'completed', '{}', $3, $3)`, [batchId, input.tenantId, input.count]);
  await db.query(
    `INSERT INTO item (batch_id, index, prompt, seed, model, width, height, steps, guidance, sampler, state)
     SELECT $1, n, $2, n, 'synthetic', 64, 64, 1, 1, 'euler', 'done' FROM generate_series(0, $3::int - 1) n`,
    [batchId, input.prompt, input.count],
  );
  await db.query(
    `INSERT INTO output (item_id, batch_id, key, sha256, bytes, width, height, agent_id, epoch, created_at)
     SELECT id, batch_id, batch_id || '/' || index, '', 0, 64, 64, 'synthetic', 0, $2 FROM item WHERE batch_id = $1`,
    [batchId, input.createdAt],
  );
  for (const c of input.contributions) {
    await db.query(
      `INSERT INTO output_contribution (output_id, creator_id, keyword, contribution, area, intensity)
       SELECT id, $2, $3, $4, $4, 1 FROM output WHERE batch_id = $1`,
      [batchId, c.creatorId, c.keyword, c.contribution],
    );
  }
  return { batchId };
}
