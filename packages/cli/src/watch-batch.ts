import type { AtelierClient, BatchProgress } from "@atelier/sdk";
import { ProgressBar } from "./progress-bar.ts";

const TERMINAL = new Set(["BATCH_STATE_COMPLETED", "BATCH_STATE_FAILED", "BATCH_STATE_CANCELLED"]);

/** Follows a batch with a progress bar until it ends; returns its last progress. */
export async function watchBatch(client: AtelierClient, batchId: string): Promise<BatchProgress> {
  const bar = new ProgressBar();
  let last: BatchProgress | undefined;
  for await (const progress of client.watchBatch(batchId)) {
    last = progress;
    const final = TERMINAL.has(String(progress.state));
    bar.update(progress, final);
    if (final) break;
  }
  if (!last) throw new Error(`no progress received for batch ${batchId}`);
  return last;
}

export function stateName(state: unknown): string {
  return String(state).replace("BATCH_STATE_", "").toLowerCase();
}
