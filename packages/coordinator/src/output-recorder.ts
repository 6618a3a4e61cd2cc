import { setTimeout as sleep } from "node:timers/promises";
import { resultStore, type BatchCounts, type Database, type OutputsOutcome, type RecordedOutput } from "@atelier/db";

/** An output and the batch it belongs to ("" when unknown here: the statement finds it). */
export interface BatchOutput {
  batchId: string;
  output: RecordedOutput;
}

interface Pending {
  outputs: BatchOutput[];
  outcomes: OutputsOutcome["outcomes"];
  batches: BatchCounts[];
  failure?: unknown;
  resolve(outcome: OutputsOutcome): void;
  reject(error: unknown): void;
}

/**
 * Records the verified outputs of every agent connected here together: while
 * one statement runs, the outputs that arrive wait and go into the next, one
 * statement per batch (a group commit). Each statement moves its batch's
 * counters once; recorded message by message, every agent's results queued
 * on that one row's lock, which capped the farm's throughput.
 *
 * Statements also start at most once per `minGapMs`: a statement takes
 * about a millisecond, so with no gap a busy farm's outputs went three to a
 * statement, and the statement's own cost, not its rows, was most of the
 * database's work per image. An output that arrives after a quiet spell goes
 * at once, so a quiet farm waits for nothing.
 */
export class OutputRecorder {
  private queue: Pending[] = [];
  private flushing = false;
  private lastStartMs = -Infinity;

  constructor(private readonly db: Database, private readonly minGapMs: number) {}

  /**
   * Outcomes in the order of `outputs`, and the counts of the batches that
   * moved (each told to one caller of a flush only, so that it is published once).
   */
  record(outputs: BatchOutput[]): Promise<OutputsOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ outputs, outcomes: [], batches: [], resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const wait = this.lastStartMs + this.minGapMs - performance.now();
        if (wait > 0) await sleep(wait);
        this.lastStartMs = performance.now();
        const taken = this.queue;
        this.queue = [];
        const byBatch = new Map<string, { pending: Pending; index: number }[]>();
        for (const pending of taken) {
          pending.outputs.forEach(({ batchId }, index) => byBatch.set(batchId, [...(byBatch.get(batchId) ?? []), { pending, index }]));
        }
        for (const group of byBatch.values()) await this.write(group);
        for (const pending of taken) {
          if (pending.failure === undefined) pending.resolve({ outcomes: pending.outcomes, batches: pending.batches });
          else pending.reject(pending.failure);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async write(group: { pending: Pending; index: number }[]): Promise<void> {
    try {
      const { outcomes, batches } = await resultStore.recordAllOutputs(this.db, group.map(({ pending, index }) => pending.outputs[index]!.output));
      group.forEach(({ pending, index }, k) => (pending.outcomes[index] = outcomes[k]!));
      group[0]!.pending.batches.push(...batches);
    } catch (error) {
      for (const { pending } of group) pending.failure ??= error;
    }
  }
}
