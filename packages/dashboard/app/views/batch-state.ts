import type { BatchStateName, BatchSummary, ProgressEvent } from "../api-types.ts";

/** BATCH_STATE_RUNNING (the event's form) -> running. */
export function stateFromEvent(state: string): BatchStateName {
  return state.replace(/^BATCH_STATE_/, "").toLowerCase() as BatchStateName;
}

export function isLive(state: BatchStateName): boolean {
  return state === "queued" || state === "running";
}

/**
 * A summary with a progress event applied. A finished batch ignores events
 * that still call it live: they were published before it ended and arrive
 * after the read that saw it end (a re-run re-reads the batch instead).
 */
export function withProgress<T extends BatchSummary>(batch: T, event: ProgressEvent): T {
  const state = stateFromEvent(event.state);
  if (!isLive(batch.state) && isLive(state)) return batch;
  return { ...batch, state, total: event.total, done: event.done, failed: event.failed, cancelled: event.cancelled, ratePerMin: event.ratePerMin };
}

/** Milliseconds until the batch settles at its current rate; undefined when unknown. */
export function etaMs(batch: BatchSummary): number | undefined {
  const remaining = batch.total - batch.done - batch.failed - batch.cancelled;
  if (!isLive(batch.state) || remaining <= 0 || batch.ratePerMin <= 0) return undefined;
  return (remaining / batch.ratePerMin) * 60_000;
}
