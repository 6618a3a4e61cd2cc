import type { AtelierClient } from "@atelier/sdk";
import type { BatchProgress__Output } from "@atelier/protocol";

/** Follows a batch until it ends and returns its last progress. */
export async function finalProgress(client: AtelierClient, batchId: string): Promise<BatchProgress__Output | undefined> {
  let last: BatchProgress__Output | undefined;
  for await (const progress of client.watchBatch(batchId)) last = progress;
  return last;
}
