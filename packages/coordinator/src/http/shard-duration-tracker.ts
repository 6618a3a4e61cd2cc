import { dashboardQueries, type Database } from "@atelier/db";
import type { Histogram } from "prom-client";
import type { Logger } from "@atelier/common";

/**
 * Follows the shards this coordinator leased until the database says they
 * ended (done, expired, released or cancelled, by whichever coordinator),
 * then observes lease-to-end time in the histogram. Durations come from the
 * database clock; a check every few seconds delays the observation, never
 * skews it.
 */
export class ShardDurationTracker {
  private readonly following = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly options: {
      db: Database;
      histogram: Histogram<"outcome">;
      log: Logger;
      intervalMs: number;
      /** Bounds memory if the database is unreachable for long. */
      maxFollowed: number;
    },
  ) {
    this.timer = setInterval(() => void this.check(), options.intervalMs);
    this.timer.unref();
  }

  leased(shardId: string): void {
    if (this.following.size < this.options.maxFollowed) this.following.add(shardId);
  }

  /** Observes every followed shard that has ended. */
  async check(): Promise<void> {
    if (this.busy || this.following.size === 0) return;
    this.busy = true;
    try {
      const asked = [...this.following];
      const shards = await dashboardQueries.shardEnds(this.options.db, asked);
      const known = new Set(shards.map((shard) => shard.shardId));
      for (const shard of shards) {
        if (shard.endedAtMs === null) continue;
        this.following.delete(shard.shardId);
        this.options.histogram.observe({ outcome: shard.state }, Math.max(0, shard.endedAtMs - shard.leasedAtMs) / 1000);
      }
      // A shard whose batch was deleted has no end to observe.
      for (const shardId of asked) if (!known.has(shardId)) this.following.delete(shardId);
    } catch (error) {
      this.options.log.warn({ err: error }, "shard duration check failed");
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
