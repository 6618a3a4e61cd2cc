import { createHash } from "node:crypto";
import type { Database } from "@atelier/db";
import type { ObjectStore } from "@atelier/coordinator";

/** Object reads in flight at once: well under the S3 client's 50 sockets. */
const READS_AT_ONCE = 16;

export interface FarmState {
  outputs: number;
  duplicateOutputs: number;
  stuckItems: number;
  liveLeases: number;
  objects: number;
  checksumMismatches: string[];
}

/**
 * The invariants every end-to-end and fault test ends with: exactly one
 * (accepted) output per item, every object's sha256 equal to its row, no stray objects,
 * nothing left queued or leased.
 */
export async function inspectBatch(db: Database, store: ObjectStore, batchId: string): Promise<FarmState> {
  const [counts] = await db.query<{ outputs: number; duplicates: number; stuck: number; live: number }>(
    `SELECT (SELECT count(*)::int FROM output WHERE batch_id = $1) AS outputs,
            (SELECT count(*)::int FROM (SELECT item_id FROM output WHERE batch_id = $1 AND accepted GROUP BY item_id HAVING count(*) > 1) d) AS duplicates,
            (SELECT count(*)::int FROM item WHERE batch_id = $1 AND state IN ('queued', 'leased')) AS stuck,
            (SELECT count(*)::int FROM shard WHERE batch_id = $1 AND state = 'leased') AS live`,
    [batchId],
  );
  const rows = await db.query<{ key: string; sha256: string; bytes: number }>(`SELECT key, sha256, bytes FROM output WHERE batch_id = $1`, [batchId]);
  const checksumMismatches: string[] = [];
  // A few reads at a time, as a real client reads: all at once, hundreds
  // queue for the SDK's 50 sockets, and one that waits there longer than its
  // 5 s connection timeout fails as if the server were unreachable.
  let next = 0;
  await Promise.all(
    Array.from({ length: READS_AT_ONCE }, async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        const body = await store.get(row.key);
        const sha256 = createHash("sha256").update(body).digest("hex");
        if (sha256 !== row.sha256 || body.byteLength !== row.bytes) checksumMismatches.push(row.key);
      }
    }),
  );
  const [{ tenant } = { tenant: "" }] = await db.query<{ tenant: string }>(`SELECT tenant_id AS tenant FROM batch WHERE id = $1`, [batchId]);
  let objects = 0;
  for await (const _object of store.list(`${tenant}/${batchId}/`)) objects++;
  return {
    outputs: counts!.outputs,
    duplicateOutputs: counts!.duplicates,
    stuckItems: counts!.stuck,
    liveLeases: counts!.live,
    objects,
    checksumMismatches,
  };
}

/** What inspectBatch must return for a batch whose `expected` items all completed. */
export function cleanState(expected: number): FarmState {
  return { outputs: expected, duplicateOutputs: 0, stuckItems: 0, liveLeases: 0, objects: expected, checksumMismatches: [] };
}
