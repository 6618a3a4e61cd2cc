import type { Database } from "@atelier/db";
import { waitFor } from "./cli-process.ts";

export interface LiveShard {
  shardId: string;
  /** The lease's fencing epoch, as text (a bigint). */
  epoch: string;
  agentId: string;
  /** Items of the shard still leased, and done. */
  open: number;
  done: number;
}

export interface MidShardOptions {
  /** The agent (by name) that must hold the shard; any agent when unset. */
  agent?: string;
  /** At least this many of its items still leased. */
  minOpen: number;
  /** At least this many already done (default 0). */
  minDone?: number;
  timeoutMs?: number;
  /** How often the database is asked (default 20 ms). */
  intervalMs?: number;
}

/**
 * Waits until an agent is inside a shard of `batchId`: the shard is leased
 * with at least `minOpen` items still open (and `minDone` done), the moment a
 * fault test strikes (a kill, a pause, a partition), and returns that shard.
 */
export function waitForMidShard(db: Database, batchId: string, options: MidShardOptions): Promise<LiveShard> {
  const { agent, minOpen, minDone = 0 } = options;
  return waitFor(
    `${agent ?? "an agent"} to be mid-shard (${minOpen}+ items open, ${minDone}+ done)`,
    async () => {
      const rows = await db.query<LiveShard>(
        `SELECT s.id AS "shardId", s.epoch::text AS epoch, s.agent_id AS "agentId",
                count(*) FILTER (WHERE i.state = 'leased')::int AS open, count(*) FILTER (WHERE i.state = 'done')::int AS done
         FROM shard s JOIN agent a ON a.id = s.agent_id JOIN item i ON i.shard_id = s.id
         WHERE s.state = 'leased' AND s.batch_id = $1 AND ($2::text IS NULL OR a.name = $2)
         GROUP BY s.id`,
        [batchId, agent ?? null],
      );
      return rows.find((row) => row.open >= minOpen && row.done >= minDone);
    },
    options.timeoutMs ?? 60_000,
    options.intervalMs ?? 20,
  );
}
