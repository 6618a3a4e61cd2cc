import { setTimeout as sleep } from "node:timers/promises";
import { resultStore, type BatchCounts, type Database } from "@atelier/db";
import type { ItemResult__Output, ResultAck } from "@atelier/protocol";
import type { AgentSession } from "./agent-session.ts";
import type { Logger } from "./logger.ts";
import type { FarmMetrics } from "./metrics.ts";
import type { OutputRecorder } from "./output-recorder.ts";
import { objectKeyFor, type ObjectHead, type ObjectStore } from "./storage/index.ts";

export interface OutputResultsDeps {
  db: Database;
  store: ObjectStore;
  metrics: FarmMetrics;
  log: Logger;
  recorder: OutputRecorder;
}

// HEADs in flight for one message of results: enough to hide the store's
// round trip, few enough that one agent's burst leaves sockets for others.
const VERIFY_CONCURRENCY = 16;
// HEADs of an object that is not the one reported before the result is refused.
const LOOKS = 3;

/**
 * Records the successful results of one agent message. Every object is
 * verified first (the key signed for the item, the size the agent reported),
 * concurrently; the verified ones are then recorded with one statement per
 * batch, each fenced by its own epoch. Returns one ack per result, in order,
 * and the counts of the batches that moved, to publish once the acks are
 * sent (so that an agent hears of its last result no later than a watcher
 * hears that the batch ended).
 */
export async function recordOutputResults(
  deps: OutputResultsDeps,
  session: AgentSession,
  results: readonly ItemResult__Output[],
): Promise<{ acks: ResultAck[]; progress: BatchCounts[] }> {
  const refusals = await mapLimited(results, VERIFY_CONCURRENCY, (result) => verifyUpload(deps, session, result));
  const acks: ResultAck[] = results.map((result, i) => ({
    itemId: result.itemId,
    epoch: result.epoch,
    accepted: false,
    reason: refusals[i] ?? "",
  }));
  results.forEach((result, i) => {
    if (refusals[i]) deps.log.warn({ agentId: session.id, itemId: result.itemId, reason: refusals[i] }, "result refused");
  });

  // Recorded with the outputs of every other agent that arrive meanwhile: one statement per batch.
  const recorded = results.flatMap((result, i) => (refusals[i] ? [] : [i]));
  const { outcomes, batches } = await deps.recorder.record(recorded.map((i) => {
    const result = results[i]!;
    return {
      batchId: session.shards.get(result.shardId)?.batchId ?? "",
      output: { agentId: session.id, itemId: result.itemId, epoch: result.epoch, key: result.key, sha256: result.sha256, bytes: result.bytes,
                width: result.width, height: result.height, renderMs: result.renderMs, metadata: {} },
    };
  }));
  recorded.forEach((i, k) => {
    const outcome = outcomes[k]!;
    acks[i] = { ...acks[i], accepted: outcome.accepted, reason: outcome.accepted ? "" : outcome.reason };
    // A duplicate (a result sent again after its ack was lost) was counted the first time.
    if (!outcome.accepted || outcome.duplicate) return;
    const { renderMs, modelLoadMs, shardId } = results[i]!;
    // The rate is the steady one; a model load is the switch's cost, measured
    // apart (0 for a switch to a model the agent kept loaded).
    session.rate.record(renderMs - Math.min(modelLoadMs, renderMs));
    const shard = session.shards.get(shardId);
    if (modelLoadMs > 0 || shard?.switchesModel) session.modelLoad.record(modelLoadMs);
    if (shard) shard.switchesModel = false;
    deps.metrics.itemsCompleted.inc();
    deps.metrics.renderSeconds.observe(renderMs / 1000);
  });
  return { acks, progress: batches };
}

/** The object must be where it was signed for, with the size the agent reported; undefined when it is. */
async function verifyUpload(deps: OutputResultsDeps, session: AgentSession, result: ItemResult__Output): Promise<string | undefined> {
  const expectedKey = session.shards.get(result.shardId)?.keys.get(result.itemId) ?? (await expectedKeyOf(deps.db, result.itemId));
  if (expectedKey !== result.key) return `object key ${result.key} is not the one signed for item ${result.itemId}`;
  if (!/^[0-9a-f]{64}$/.test(result.sha256)) return "sha256 must be 64 hex digits";
  // A store whose PUT is not atomic (s3rver) shows a key that another render
  // of the same item is writing again short for a moment: look again before refusing.
  for (let look = 1; ; look++) {
    const head = await deps.store.head(result.key);
    if (!head) return `object ${result.key} was not found in the bucket`;
    const problem = differs(head, result);
    if (!problem) return undefined;
    if (look === LOOKS) return problem;
    await sleep(100 * look);
  }
}

/** Why the object is not the one the agent reported, or undefined. */
function differs(head: ObjectHead, result: ItemResult__Output): string | undefined {
  if (head.bytes !== result.bytes) return `object ${result.key} has ${head.bytes} bytes; the agent reported ${result.bytes}`;
  // An ETag is the MD5 of the bytes for a single-part upload (S3, MinIO,
  // s3rver); a multipart or encrypted object's is not, and is not compared.
  if (result.md5 && head.etag && /^[0-9a-f]{32}$/.test(head.etag) && head.etag !== result.md5) {
    return `object ${result.key} holds other bytes (MD5 ${head.etag}) than the agent reported (MD5 ${result.md5})`;
  }
  return undefined;
}

async function expectedKeyOf(db: Database, itemId: string): Promise<string | undefined> {
  const item = await resultStore.identityOf(db, itemId);
  return item ? objectKeyFor(item.tenantId, item.batchId, item.index, item.seed) : undefined;
}

/** Like Promise.all over `work`, with at most `limit` running at once; results keep their order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
