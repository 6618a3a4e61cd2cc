import { resultStore, type Database, type OutputsOutcome, type RecordedOutput } from "@atelier/db";

interface Pending {
  batchId: string;
  outputs: RecordedOutput[];
  resolve(outcome: OutputsOutcome): void;
  reject(error: unknown): void;
}

/**
 * Records the verified outputs of every agent connected here together: while
 * one statement runs, the outputs that arrive wait and go into the next, one
 * statement per batch (a group commit). Each statement moves its batch's
 * counters once; recorded message by message, every agent's results queued
 * on that one row's lock, which capped the farm's throughput. With nothing
 * in flight an output goes at once, so a quiet farm waits for nothing.
 */
export class OutputRecorder {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(private readonly db: Database) {}

  /** Outcomes in the order of `outputs`; the counts of the batch, if it moved, for one caller of each flush only. */
  record(batchId: string, outputs: RecordedOutput[]): Promise<OutputsOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ batchId, outputs, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const taken = this.queue;
        this.queue = [];
        const byBatch = new Map<string, Pending[]>();
        for (const pending of taken) byBatch.set(pending.batchId, [...(byBatch.get(pending.batchId) ?? []), pending]);
        for (const group of byBatch.values()) await this.write(group);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async write(group: Pending[]): Promise<void> {
    try {
      const { outcomes, batches } = await resultStore.recordAllOutputs(this.db, group.flatMap((pending) => pending.outputs));
      let offset = 0;
      group.forEach((pending, i) => {
        pending.resolve({ outcomes: outcomes.slice(offset, offset + pending.outputs.length), batches: i === 0 ? batches : [] });
        offset += pending.outputs.length;
      });
    } catch (error) {
      for (const pending of group) pending.reject(error);
    }
  }
}
