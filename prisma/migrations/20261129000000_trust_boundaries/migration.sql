-- AlterTable
ALTER TABLE "api_token" ADD COLUMN "name" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "agent_credential" (
    "id" TEXT NOT NULL,
    "agent_id" TEXT NOT NULL,
    "pool" TEXT NOT NULL DEFAULT '',
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "agent_credential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL DEFAULT '',
    "detail" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "agent_credential_token_hash_key" ON "agent_credential"("token_hash");

-- CreateIndex
CREATE INDEX "agent_credential_agent_id_idx" ON "agent_credential"("agent_id");

-- CreateIndex
CREATE INDEX "audit_event_at_idx" ON "audit_event"("at");
