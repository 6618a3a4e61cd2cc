import { createHash } from "node:crypto";
import type { ObjectStore } from "@atelier/coordinator";

/** Objects read back at the end of a farm run; their rows are a random sample. */
export const SAMPLED_OBJECTS = 1_000;

/**
 * The bytes behind a run's rows: reads each sampled object back and counts
 * those whose sha256 is not the one expected of it.
 */
export async function sha256Mismatches(store: ObjectStore, sample: { key: string; sha256: string }[]): Promise<number> {
  let mismatches = 0;
  for (const row of sample) {
    if (createHash("sha256").update(await store.get(row.key)).digest("hex") !== row.sha256) mismatches++;
  }
  return mismatches;
}
