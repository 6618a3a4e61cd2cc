-- A speculative copy of a straggler's unfinished tail: the items stay leased
-- to their shard and are also held by the copy; the first valid result wins.
ALTER TABLE "item" ADD COLUMN "spec_shard_id" TEXT,
ADD COLUMN "spec_epoch" BIGINT;

ALTER TABLE "shard" ADD COLUMN "speculative" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "item_spec_shard_id_idx" ON "item"("spec_shard_id");
