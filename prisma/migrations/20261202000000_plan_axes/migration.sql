-- Plans (issue 12): a batch made from a plan keeps the plan's axes (name,
-- setting, values), and each of its items its value of each axis.

-- AlterTable
ALTER TABLE "batch" ADD COLUMN "plan_axes" JSONB;

-- AlterTable
ALTER TABLE "item" ADD COLUMN "axes" JSONB;
