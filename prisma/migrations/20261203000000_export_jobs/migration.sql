-- Server-side dataset exports (issue 12): the job of each, in the database
-- so that taking over an interrupted export is one atomic UPDATE. `epoch`
-- rises with every take-over and fences the writes of the run that holds
-- it: a coordinator that stalled and comes back finds its epoch gone and
-- stops. A running row whose heartbeat went silent reads as interrupted.

-- CreateTable
CREATE TABLE "export_job" (
    "id" TEXT NOT NULL,
    "batch_id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "prefix" TEXT NOT NULL,
    "started_by" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "owner_id" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL DEFAULT 1,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" TEXT NOT NULL DEFAULT 'running',
    "finished_at" TIMESTAMPTZ(3),
    "total" INTEGER NOT NULL DEFAULT 0,
    "samples" INTEGER NOT NULL DEFAULT 0,
    "shards" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "export_job_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "export_job_batch_id_idx" ON "export_job"("batch_id");

-- AddForeignKey
ALTER TABLE "export_job" ADD CONSTRAINT "export_job_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batch"("id") ON DELETE CASCADE ON UPDATE CASCADE;
