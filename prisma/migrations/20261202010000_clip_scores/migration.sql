-- CLIP scores, the quality gate and the fidelity check (issue 12). An item
-- under a gate may render several attempts, each with its own seed and key:
-- every attempt is an output row, `accepted` false for those below the gate.
-- Only one output per item is accepted: an item leaves `leased` once per
-- epoch (the same statement that inserts its output), and a re-roll renders
-- under a new epoch with the next seed. The key stays unique.

-- AlterTable
ALTER TABLE "output" ADD COLUMN "clip_score" DOUBLE PRECISION,
ADD COLUMN "fidelity" JSONB,
ADD COLUMN "accepted" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN "seed" BIGINT;

-- AlterTable
ALTER TABLE "item" ADD COLUMN "rerolls" INTEGER NOT NULL DEFAULT 0;

-- DropIndex
DROP INDEX "output_item_id_key";

-- CreateIndex
CREATE INDEX "output_item_id_idx" ON "output"("item_id");
