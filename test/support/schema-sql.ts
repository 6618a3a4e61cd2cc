import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./cli-process.ts";

const run = promisify(execFile);
const PRISMA6 = join(REPO_ROOT, "tools/prisma6");
const PRISMA6_CLI = join(PRISMA6, "node_modules/prisma/build/index.js");

/**
 * The SQL that Prisma itself writes for a schema (`migrate diff --from-empty
 * --to-schema-datamodel`): what a database made from the schema alone holds.
 * Prisma 7 needs its native schema engine for that, which cannot be
 * downloaded here; Prisma 6's JavaScript engine renders the same SQL offline.
 * It lives in tools/prisma6 with its own lockfile and is installed there on
 * first use. `databaseUrl`: any reachable Postgres (the engine connects, and
 * reads nothing).
 */
export async function schemaSql(schemaPath: string, databaseUrl: string): Promise<string> {
  if (!existsSync(PRISMA6_CLI)) {
    await run("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: PRISMA6, timeout: 300_000 });
  }
  // Prisma 6 wants the connection named in the datasource block; Prisma 7 takes it from its config.
  const scratch = mkdtempSync(join(tmpdir(), "atelier-schema-sql-"));
  try {
    const schema = join(scratch, "schema.prisma");
    const withUrl = readFileSync(schemaPath, "utf8").replace(/(datasource\s+\w+\s*\{[^}]*?provider\s*=\s*"postgresql")/, `$1\n  url = env("SCHEMA_SQL_DATABASE_URL")`);
    if (!withUrl.includes("SCHEMA_SQL_DATABASE_URL")) throw new Error(`${schemaPath}: no postgresql datasource block found`);
    writeFileSync(schema, withUrl);
    const { stdout } = await run(
      process.execPath,
      [PRISMA6_CLI, "migrate", "diff", "--config", join(PRISMA6, "prisma.config.mjs"), "--from-empty", "--to-schema-datamodel", schema, "--script"],
      {
        cwd: PRISMA6,
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          ...process.env,
          SCHEMA_SQL_DATABASE_URL: databaseUrl,
          PRISMA_HIDE_UPDATE_MESSAGE: "1",
          CHECKPOINT_DISABLE: "1",
          // Never run: the JavaScript engine does the work; the CLI only insists that these name a file.
          PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
          PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
        },
      },
    );
    return stdout;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
