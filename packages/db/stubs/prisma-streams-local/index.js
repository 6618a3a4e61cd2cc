// Loaded only by `prisma dev` (Prisma's local Postgres), which Atelier does not use: see package.json.
throw new Error("`prisma dev` is not part of Atelier: its @prisma/streams-local is replaced by a stub (root package.json, overrides); use the Postgres that DATABASE_URL names");
