import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createTestDatabase, DEFAULT_TEST_DATABASE_URL, type TestDatabase } from "@atelier/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/cli-process.ts";
import { schemaSql } from "./support/schema-sql.ts";

// prisma/schema.prisma and prisma/migrations are both sources of truth: the
// client is generated from the one, databases are made by the other. This
// check fails when they disagree. One database is made by the migrations (as
// every coordinator makes it), another from the SQL Prisma writes for the
// schema alone; their tables, columns, indexes and constraints must match
// to the name. A schema change needs its migration.

const SCHEMA = join(REPO_ROOT, "prisma/schema.prisma");
const ADMIN_URL = process.env.DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;

// What a database holds, as text that compares: each object by name, with its definition.
const CATALOG = {
  column: `SELECT table_name || '.' || column_name AS name,
                  concat_ws(' ', udt_name, CASE WHEN is_nullable = 'NO' THEN 'not null' END, 'default ' || column_default,
                            'length ' || character_maximum_length, 'precision ' || datetime_precision) AS definition
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  index: `SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
  constraint: `SELECT c.conname AS name, t.relname || ': ' || pg_get_constraintdef(c.oid) AS definition
               FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
               WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'`,
  sequence: `SELECT sequence_name AS name, data_type AS definition FROM information_schema.sequences WHERE sequence_schema = 'public'`,
} as const;

// Predicates the migrations give indexes that Prisma's schema language has
// no way to say (partial indexes): the migrated index must be the schema's
// with exactly this predicate added.
const MIGRATION_ONLY_PREDICATES: Record<string, string> = {
  "index item_shard_id_idx": " WHERE (shard_id IS NOT NULL)",
  "index item_spec_shard_id_idx": " WHERE (spec_shard_id IS NOT NULL)",
};

type Catalog = Map<string, string>;

async function catalogOf(url: string): Promise<Catalog> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const catalog: Catalog = new Map();
    for (const [kind, sql] of Object.entries(CATALOG)) {
      for (const row of (await client.query<{ name: string; definition: string }>(sql)).rows) catalog.set(`${kind} ${row.name}`, row.definition);
    }
    return catalog;
  } finally {
    await client.end();
  }
}

/** Every object that is not the same in both, as a line that says where it stands. */
function differences(migrated: Catalog, fromSchema: Catalog): string[] {
  const lines: string[] = [];
  for (const [name, definition] of fromSchema) {
    const made = migrated.get(name);
    if (made === undefined) lines.push(`${name}: in schema.prisma (${definition}), made by no migration`);
    else if (made !== definition) lines.push(`${name}: schema.prisma says ${definition}; the migrations make ${made}`);
  }
  for (const [name, definition] of migrated) if (!fromSchema.has(name)) lines.push(`${name}: made by the migrations (${definition}), not in schema.prisma`);
  return lines.sort();
}

describe("schema.prisma and prisma/migrations", () => {
  let migrated: TestDatabase;
  let fromSchemaUrl: string;
  const fromSchemaName = `atelier_schema_${randomBytes(6).toString("hex")}`;

  beforeAll(async () => {
    migrated = await createTestDatabase();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${fromSchemaName}`);
    await admin.end();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${fromSchemaName}`;
    fromSchemaUrl = url.toString();
  }, 300_000);

  afterAll(async () => {
    await migrated?.drop();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${fromSchemaName} WITH (FORCE)`);
    await admin.end();
  });

  it("make the same tables, columns, indexes and constraints", async () => {
    const sql = await schemaSql(SCHEMA, ADMIN_URL);
    expect(sql).toMatch(/CREATE TABLE "item"/);
    const client = new pg.Client({ connectionString: fromSchemaUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
    const [byMigrations, bySchema] = await Promise.all([catalogOf(migrated.url), catalogOf(fromSchemaUrl)]);
    // Both sides hold something, so an empty answer below means agreement.
    expect(bySchema.size).toBeGreaterThan(50);
    for (const [name, predicate] of Object.entries(MIGRATION_ONLY_PREDICATES)) {
      expect(byMigrations.get(name)).toBe(`${bySchema.get(name)}${predicate}`);
      byMigrations.set(name, bySchema.get(name)!);
    }
    expect(differences(byMigrations, bySchema)).toEqual([]);
  }, 300_000);
});
