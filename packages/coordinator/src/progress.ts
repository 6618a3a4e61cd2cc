import { batchStore, type BatchCounts, type Database } from "@atelier/db";
import type { BatchProgress } from "@atelier/protocol";
import { subjects, type EventBus } from "./events/index.ts";

export const TERMINAL_STATES = new Set(["completed", "failed", "cancelled"]);

export function toProgress(counts: BatchCounts): BatchProgress {
  return {
    batchId: counts.id,
    state: `BATCH_STATE_${counts.state.toUpperCase()}` as BatchProgress["state"],
    total: counts.total,
    done: counts.done,
    failed: counts.failed,
    cancelled: counts.cancelled,
    atMs: Date.now(),
  };
}

/**
 * Publishes a batch's progress; when its items have all settled, ends the
 * batch first so that watchers see the final state.
 */
export async function publishProgress(db: Database, bus: EventBus, counts: BatchCounts): Promise<void> {
  let current = counts;
  if (!TERMINAL_STATES.has(counts.state) && counts.done + counts.failed + counts.cancelled >= counts.total) {
    const state = await batchStore.finishIfSettled(db, counts.id);
    if (state) current = { ...counts, state };
  }
  await bus.publish(subjects.batchProgress(counts.id), toProgress(current));
}

export async function publishProgressOf(db: Database, bus: EventBus, batchId: string): Promise<void> {
  const counts = await batchStore.counts(db, batchId);
  if (counts) await publishProgress(db, bus, counts);
}
