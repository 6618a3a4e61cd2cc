-- The item's shard-id indexes hold only the items that have a shard.
--
-- A queued item has neither a shard nor a speculative copy, yet both
-- indexes took an entry for its NULLs: two of the five index insertions of
-- every item a submission writes. Without them, inserting 1,000,000 items
-- cost about a quarter less, and the Postgres CPU of submit.ts a sixth less
-- (test/bench/README.md, "A shard settled by its own items, and partial
-- shard-id indexes").
-- Every statement that looks items up by shard names a shard, so it never
-- needs the NULL entries. Prisma's schema language has no index predicates,
-- so schema.prisma declares these two indexes without one
-- (test/schema-drift.test.ts knows of the difference).
DROP INDEX "item_shard_id_idx";
CREATE INDEX "item_shard_id_idx" ON "item"("shard_id") WHERE "shard_id" IS NOT NULL;

DROP INDEX "item_spec_shard_id_idx";
CREATE INDEX "item_spec_shard_id_idx" ON "item"("spec_shard_id") WHERE "spec_shard_id" IS NOT NULL;
