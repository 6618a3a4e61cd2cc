-- AlterTable
ALTER TABLE "item" ADD COLUMN "options" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "agent" ADD COLUMN "architectures" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN "upscalers" TEXT[] DEFAULT ARRAY[]::TEXT[];
