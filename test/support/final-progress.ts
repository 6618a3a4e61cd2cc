import { AtelierClient } from "@atelier/sdk";
import type { BatchProgress__Output } from "@atelier/protocol";

/**
 * Follows a batch until it ends and returns its last progress, through
 * `via`: a client, or a coordinator's address (a client is opened for it and
 * closed after).
 */
export async function finalProgress(via: AtelierClient | string, batchId: string): Promise<BatchProgress__Output | undefined> {
  const client = typeof via === "string" ? new AtelierClient(via) : via;
  let last: BatchProgress__Output | undefined;
  try {
    for await (const progress of client.watchBatch(batchId)) last = progress;
  } finally {
    if (typeof via === "string") client.close();
  }
  return last;
}
