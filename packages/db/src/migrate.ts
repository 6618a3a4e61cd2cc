import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "./open-database.ts";

/** prisma/migrations at the repository root: the data contract's migrations. */
export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../prisma/migrations");

// Prisma's own bookkeeping table, created exactly as `prisma migrate deploy`
// creates it, so that either tool sees the other's work as applied.
const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
);`;

// Any constant works; it only has to be the same for every coordinator.
const MIGRATION_LOCK_ID = 72_616_001;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies every migration not yet recorded, in name order, each in its own
 * transaction. Safe to run from several coordinators at once: they serialise
 * on an advisory lock. A migration whose file changed after it was applied is
 * an error, as with Prisma.
 */
export async function migrate(db: Database, migrationsDir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const migrations = readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(migrationsDir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });

  return db.withScriptSession(async (exec) => {
    await exec(`SELECT pg_advisory_lock(${MIGRATION_LOCK_ID}); ${BOOKKEEPING}`);
    try {
      return await applyPending(db, exec, migrations);
    } finally {
      await exec(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_ID})`);
    }
  });
}

async function applyPending(
  db: Database,
  exec: (sql: string) => Promise<void>,
  migrations: { name: string; sql: string; checksum: string }[],
): Promise<MigrationResult> {
  const rows = await db.query<{ migration_name: string; checksum: string }>(
    `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const done = new Map(rows.map((row) => [row.migration_name, row.checksum]));
  const applied: string[] = [];
  for (const migration of migrations) {
    const recorded = done.get(migration.name);
    if (recorded !== undefined) {
      if (recorded !== migration.checksum) {
        throw new Error(`migration ${migration.name} was modified after it was applied (checksum differs): add a new migration instead`);
      }
      continue;
    }
    await exec(
      `BEGIN;\n${migration.sql}\n;INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ('${randomUUID()}', '${migration.checksum}', '${migration.name.replaceAll("'", "''")}', now(), now(), 1);\nCOMMIT;`,
    );
    applied.push(migration.name);
  }
  return { applied, alreadyApplied: migrations.length - applied.length };
}
