-- Creators and conscience (issue 13): creators with versioned terms, measured
-- keyword contributions per output, versioned content policies, and the
-- safety verdict and quarantine of each output.

-- AlterTable
ALTER TABLE "output" ADD COLUMN "safety_verdict" TEXT NOT NULL DEFAULT 'unchecked',
ADD COLUMN "quarantined" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "moderation" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "creator" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removed_at" TIMESTAMPTZ(3),

    CONSTRAINT "creator_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "creator_version" (
    "id" BIGSERIAL NOT NULL,
    "creator_id" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "payee" TEXT NOT NULL,
    "keywords" TEXT[],
    "price_per_image" DECIMAL(14,6),
    "platform_share" DECIMAL(7,6),
    "valid_from" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "valid_to" TIMESTAMPTZ(3),

    CONSTRAINT "creator_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "output_contribution" (
    "output_id" BIGINT NOT NULL,
    "creator_id" TEXT NOT NULL,
    "keyword" TEXT NOT NULL,
    "contribution" DOUBLE PRECISION NOT NULL,
    "area" DOUBLE PRECISION NOT NULL,
    "intensity" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "output_contribution_pkey" PRIMARY KEY ("output_id","creator_id","keyword")
);

-- CreateTable
CREATE TABLE "content_policy_version" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "blocked_terms" TEXT[],
    "blocked_patterns" TEXT[],
    "named_persons" TEXT[],
    "changed_by" TEXT NOT NULL DEFAULT '',
    "valid_from" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "valid_to" TIMESTAMPTZ(3),

    CONSTRAINT "content_policy_version_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "creator_tenant_id_idx" ON "creator"("tenant_id");

-- CreateIndex
CREATE INDEX "creator_version_creator_id_valid_from_idx" ON "creator_version"("creator_id", "valid_from");

-- CreateIndex
CREATE INDEX "output_contribution_creator_id_idx" ON "output_contribution"("creator_id");

-- CreateIndex
CREATE INDEX "content_policy_version_tenant_id_valid_from_idx" ON "content_policy_version"("tenant_id", "valid_from");

-- AddForeignKey
ALTER TABLE "creator_version" ADD CONSTRAINT "creator_version_creator_id_fkey" FOREIGN KEY ("creator_id") REFERENCES "creator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "output_contribution" ADD CONSTRAINT "output_contribution_output_id_fkey" FOREIGN KEY ("output_id") REFERENCES "output"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "output_contribution" ADD CONSTRAINT "output_contribution_creator_id_fkey" FOREIGN KEY ("creator_id") REFERENCES "creator"("id") ON DELETE CASCADE ON UPDATE CASCADE;
