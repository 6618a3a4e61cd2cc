import type { BatchProgress } from "@atelier/protocol";
import { subjects, type EventBus, type EventSubscription } from "../events/index.ts";

interface Sample {
  atMs: number;
  settled: number;
}

export interface BatchRateOptions {
  /** The rate is measured over this much recent history. */
  windowMs: number;
  /** Batches not heard from for this long are forgotten. */
  forgetAfterMs: number;
  /** Most batches followed at once; the least recently updated go first. */
  maxBatches: number;
  now?: () => number;
}

/**
 * Items settled per minute for each live batch, from the progress events on
 * the bus (every coordinator sees every batch's progress there), so that an
 * ETA needs no query. Keeps at most one sample per second per batch.
 */
export class BatchRateTracker {
  private readonly batches = new Map<string, Sample[]>();
  private readonly subscription: EventSubscription;
  private readonly now: () => number;

  constructor(bus: EventBus, private readonly options: BatchRateOptions) {
    this.now = options.now ?? Date.now;
    this.subscription = bus.subscribe(subjects.batchProgress("*"), (event) => this.observe(event.data as BatchProgress));
  }

  observe(progress: BatchProgress): void {
    const batchId = String(progress.batchId);
    const samples = this.batches.get(batchId) ?? [];
    const now = this.now();
    const sample = { atMs: now, settled: Number(progress.done ?? 0) + Number(progress.failed ?? 0) };
    const last = samples.at(-1);
    if (last && now - last.atMs < 1_000) samples[samples.length - 1] = { atMs: last.atMs, settled: Math.max(last.settled, sample.settled) };
    else samples.push(sample);
    // Keep one sample older than the window, so the rate spans all of it.
    while (samples.length > 2 && samples[1]!.atMs < now - this.options.windowMs) samples.shift();
    this.batches.delete(batchId);
    this.batches.set(batchId, samples);
    this.forget(now);
  }

  /** Items per minute over the window; 0 when unknown or idle. */
  ratePerMin(batchId: string): number {
    const samples = this.batches.get(batchId);
    if (!samples || samples.length < 2) return 0;
    const now = this.now();
    const first = samples[0]!;
    const last = samples.at(-1)!;
    // A batch that stopped reporting is not rendering at its old speed.
    const span = Math.max(now, last.atMs) - first.atMs;
    if (span <= 0 || now - last.atMs > this.options.windowMs) return 0;
    return Math.max(0, ((last.settled - first.settled) / span) * 60_000);
  }

  close(): void {
    this.subscription.unsubscribe();
  }

  private forget(now: number): void {
    for (const [batchId, samples] of this.batches) {
      if (this.batches.size > this.options.maxBatches || samples.at(-1)!.atMs < now - this.options.forgetAfterMs) this.batches.delete(batchId);
      else break;
    }
  }
}
