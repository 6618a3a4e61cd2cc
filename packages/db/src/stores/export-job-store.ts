import type { Database } from "../open-database.ts";

// The jobs of server-side dataset exports. A job is run by one coordinator
// at a time: the one whose `epoch` the row holds. Taking a job over is one
// UPDATE that raises the epoch, allowed only while nobody runs it (its
// heartbeat has gone silent, or it stopped); every later write of a run
// names its epoch and changes nothing once another run has taken over. Times
// are the database's, so coordinators' clocks never have to agree.

export type ExportJobState = "running" | "complete" | "failed" | "interrupted";

export interface NewExportJob {
  id: string;
  batchId: string;
  tenantId: string;
  request: unknown;
  prefix: string;
  startedBy: string;
  ownerId: string;
  total: number;
}

export interface ExportJobRow extends NewExportJob {
  startedAtMs: number;
  epoch: number;
  /** "interrupted" for a running job whose heartbeat has been silent longer than the reader's limit */
  state: ExportJobState;
  finishedAtMs: number | null;
  samples: number;
  shards: number;
  error: string;
}

/** A run's progress, written under its epoch. */
export interface ExportJobProgress {
  id: string;
  epoch: number;
  samples: number;
  shards: number;
}

// `silence` is $2 in every statement that reads a state: a running job silent for longer reads as interrupted.
const COLUMNS = `id, batch_id AS "batchId", tenant_id AS "tenantId", request, prefix, started_by AS "startedBy",
  (extract(epoch FROM started_at) * 1000)::float8 AS "startedAtMs", owner_id AS "ownerId", epoch,
  CASE WHEN state = 'running' AND heartbeat_at < now() - make_interval(secs => $2::float8 / 1000) THEN 'interrupted' ELSE state END AS state,
  (extract(epoch FROM finished_at) * 1000)::float8 AS "finishedAtMs", total, samples, shards, error`;

export const exportJobStore = {
  async create(db: Database, job: NewExportJob): Promise<void> {
    await db.query(
      `INSERT INTO export_job (id, batch_id, tenant_id, request, prefix, started_by, owner_id, total) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)`,
      [job.id, job.batchId, job.tenantId, JSON.stringify(job.request), job.prefix, job.startedBy, job.ownerId, job.total],
    );
  },

  /** A batch's exports, newest first. */
  async list(db: Database, batchId: string, silenceMs: number): Promise<ExportJobRow[]> {
    return db.query<ExportJobRow>(`SELECT ${COLUMNS} FROM export_job WHERE batch_id = $1 ORDER BY id DESC`, [batchId, silenceMs]);
  },

  async get(db: Database, batchId: string, id: string, silenceMs: number): Promise<ExportJobRow | undefined> {
    const [row] = await db.query<ExportJobRow>(`SELECT ${COLUMNS} FROM export_job WHERE batch_id = $1 AND id = $3`, [batchId, silenceMs, id]);
    return row;
  },

  /**
   * Takes a job over for `ownerId` if nobody runs it: it failed, it was
   * interrupted, or it says running but its heartbeat has been silent
   * longer than `silenceMs`. One statement, so of two coordinators that
   * try at once exactly one gets the row (the other's UPDATE re-reads it
   * after the first commits, finds it running, and matches nothing). The
   * row comes back with its new epoch; undefined when it was not taken.
   */
  async claim(db: Database, claim: { batchId: string; id: string; ownerId: string; silenceMs: number }): Promise<ExportJobRow | undefined> {
    const [row] = await db.query<ExportJobRow>(
      `UPDATE export_job SET owner_id = $4, epoch = epoch + 1, heartbeat_at = now(), state = 'running', finished_at = NULL, error = ''
       WHERE batch_id = $1 AND id = $3
         AND (state IN ('failed', 'interrupted') OR (state = 'running' AND heartbeat_at < now() - make_interval(secs => $2::float8 / 1000)))
       RETURNING ${COLUMNS}`,
      [claim.batchId, claim.silenceMs, claim.id, claim.ownerId],
    );
    return row;
  },

  /** Records a run's heartbeat and progress; false when the run no longer holds the job (another took it over). */
  async beat(db: Database, progress: ExportJobProgress): Promise<boolean> {
    const rows = await db.query(
      `UPDATE export_job SET heartbeat_at = now(), samples = $3, shards = $4 WHERE id = $1 AND epoch = $2 AND state = 'running' RETURNING 1`,
      [progress.id, progress.epoch, progress.samples, progress.shards],
    );
    return rows.length === 1;
  },

  /** Records how a run ended; false when the run no longer holds the job. */
  async finish(db: Database, end: ExportJobProgress & { state: Exclude<ExportJobState, "running">; total: number; error: string }): Promise<boolean> {
    const rows = await db.query(
      `UPDATE export_job SET heartbeat_at = now(), state = $5, samples = $3, shards = $4, total = $6, error = $7,
              finished_at = CASE WHEN $5 = 'complete' THEN now() END
       WHERE id = $1 AND epoch = $2 AND state = 'running' RETURNING 1`,
      [end.id, end.epoch, end.samples, end.shards, end.state, end.total, end.error],
    );
    return rows.length === 1;
  },
};
