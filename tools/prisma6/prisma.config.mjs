// Prisma 6's JavaScript schema engine needs a driver adapter; rendering a
// schema as SQL (`migrate diff --from-empty --to-schema-datamodel`) only
// connects, and reads nothing. SCHEMA_SQL_DATABASE_URL: any reachable Postgres.
import { PrismaPg } from "@prisma/adapter-pg";

export default {
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new PrismaPg({ connectionString: process.env.SCHEMA_SQL_DATABASE_URL }),
};
