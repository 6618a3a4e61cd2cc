import { batchStore, leaseStore, type Database } from "@atelier/db";
import type { EventBus } from "./events/index.ts";
import type { Logger } from "@atelier/common";
import type { FarmMetrics } from "./metrics.ts";
import { publishProgressOf } from "./progress.ts";

// A submission still receiving after this long lost its coordinator.
const STALE_SUBMISSION_MS = 60 * 60 * 1000;

/**
 * Periodically ends expired leases (judged by the database clock) and puts
 * their items back in the queue, and ends batches left open with every item
 * settled. Any coordinator may run it: the sweep is one
 * statement, so two sweepers never settle the same shard twice.
 */
export function startLeaseSweeper(deps: {
  db: Database;
  bus: EventBus;
  log: Logger;
  metrics: FarmMetrics;
  intervalMs: number;
  onRequeued: () => void;
}): { close(): void } {
  let busy = false;
  const sweep = async () => {
    if (busy) return;
    busy = true;
    try {
      const settled = await leaseStore.sweepExpired(deps.db);
      if (settled.shards > 0) {
        deps.metrics.leasesExpired.inc(settled.shards);
        deps.log.warn({ shards: settled.shards, batches: settled.batches }, "expired leases returned their items to the queue");
        for (const batch of settled.batches) await publishProgressOf(deps.db, deps.bus, batch.batchId);
        deps.onRequeued();
      }
      for (const batchId of await batchStore.settledButLive(deps.db)) await publishProgressOf(deps.db, deps.bus, batchId);
      await batchStore.abortStale(deps.db, STALE_SUBMISSION_MS);
    } catch (error) {
      deps.log.error({ err: error }, "lease sweep failed");
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void sweep(), deps.intervalMs);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
