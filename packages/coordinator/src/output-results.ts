import { setTimeout as sleep } from "node:timers/promises";
import { outputSizeOf, resultStore, webhookStore, type BatchCounts, type Database, type NewWebhookEvent, type RecordedOutput } from "@atelier/db";
import { PNG_HEADER_BYTES, readPngSize } from "@atelier/diffusion/png";
import type { ItemResult__Output, ResultAck } from "@atelier/protocol";
import type { AgentSession } from "./agent-session.ts";
import type { Logger } from "@atelier/common";
import type { FarmMetrics } from "./metrics.ts";
import type { OutputRecorder } from "./output-recorder.ts";
import { objectKeyFor, type ObjectHead, type ObjectStore } from "./storage/index.ts";
import type { UploadLedger } from "./storage/upload-ledger.ts";
import { LIMITS } from "./limits.ts";

export interface OutputResultsDeps {
  db: Database;
  store: ObjectStore;
  metrics: FarmMetrics;
  log: Logger;
  recorder: OutputRecorder;
  /** The object store's notices of uploads, when it sends them: an output they confirm is not read back. */
  uploads?: UploadLedger;
}

// HEADs in flight for one message of results: enough to hide the store's
// round trip, few enough that one agent's burst leaves sockets for others.
const VERIFY_CONCURRENCY = 16;
// HEADs of an object that is not the one reported before the result is refused.
const LOOKS = 3;
// With the store's notices, one output in this many (each stream's first among them) is read back all the same.
const READ_ONE_IN = 16;
// How long a result waits for its upload's notice before its object is read instead.
const NOTICE_WAIT_MS = 1_000;

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
                width: result.width, height: result.height, renderMs: result.renderMs, metadata: { ...verdictOf(result), ...attributionOf(result) }, ...clipOf(result) },
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
    // A rejected attempt leaves its item to a re-roll: it is not completed yet.
    if (outcome.gate !== "rejected") deps.metrics.itemsCompleted.inc();
    deps.metrics.renderSeconds.observe(renderMs / 1000);
    if (results[i]!.hasClipScore) deps.metrics.clipGate.inc({ outcome: outcome.gate ?? "accepted" });
  });
  await recordWebhookEvents(deps, recorded.flatMap((i, k) => (outcomes[k]!.accepted && !outcomes[k]!.duplicate ? [{ result: results[i]!, gate: outcomes[k]!.gate }] : [])));
  return { acks, progress: batches };
}

/**
 * The tenant's webhook events that an output decides: an item the quality
 * gate gave up on (item.exhausted), an image the safety checker flagged and
 * the farm quarantined (image.quarantined). Keyed by item and by object, so
 * a result recorded twice is one event; a failure to record them is logged
 * and costs the result nothing.
 */
async function recordWebhookEvents(deps: OutputResultsDeps, recorded: readonly { result: ItemResult__Output; gate?: string }[]): Promise<void> {
  const events = recorded.flatMap(({ result, gate }): NewWebhookEvent[] => {
    // The key was checked to be the one signed for the item: <tenant>/<batch>/<index>-<seed>.png.
    const [tenantId = "", batchId] = result.key.split("/");
    const found: NewWebhookEvent[] = [];
    if (gate === "exhausted") found.push({ tenantId, type: "item.exhausted", key: `item.exhausted:${result.itemId}`, data: { batchId, itemId: result.itemId } });
    if (result.safetyVerdict === "flagged") {
      found.push({ tenantId, type: "image.quarantined", key: `image.quarantined:${result.key}`, data: { batchId, itemId: result.itemId, key: result.key } });
    }
    return found;
  });
  await Promise.all(events.map((event) => webhookStore.enqueue(deps.db, event).catch((error: unknown) => {
    deps.log.error({ err: error, event: event.key }, "a webhook event was not recorded");
  })));
}

// Keywords one result may report: more than a creator registers, bounded so that a row's metadata stays small.
const MAX_REPORTED_KEYWORDS = 50;

/**
 * The keywords' measured contributions, recorded in the output's metadata
 * and, by the statement that records the output, as output_contribution rows
 * for the batch's tenant's own creators (anything else an agent names is
 * dropped there). Shares are clamped to [0, 1].
 */
function attributionOf(result: ItemResult__Output): Record<string, unknown> {
  const reported = result.attribution;
  if (!reported) return {};
  const finite = (x: number) => (Number.isFinite(x) && x > 0 ? x : 0);
  const share = (x: number) => Math.min(1, finite(x));
  return {
    attribution: {
      keywords: reported.keywords.slice(0, MAX_REPORTED_KEYWORDS).map((k) => ({
        creatorId: k.creatorId.slice(0, 64), keyword: k.keyword.slice(0, 200), contribution: share(k.contribution), area: share(k.area), intensity: finite(k.intensity),
      })),
      rest: share(reported.rest), sampledSteps: reported.sampledSteps, extraUnetMs: finite(reported.extraUnetMs), overhead: finite(reported.overhead),
    },
  };
}

/** The safety checker's verdict, recorded in the output's metadata: a flagged image is quarantined by the same statement that records it. */
function verdictOf(result: ItemResult__Output): Record<string, unknown> {
  return result.safetyVerdict === "passed" || result.safetyVerdict === "flagged" ? { safetyVerdict: result.safetyVerdict } : {};
}

/**
 * The agent's CLIP scores, as recorded: the fidelity verdict is worked out
 * here from the scores (own prompt strictly best), not taken from the agent.
 */
function clipOf(result: ItemResult__Output): Pick<RecordedOutput, "clipScore" | "fidelity"> {
  if (!result.hasClipScore) return {};
  const counters = result.counterScores.slice(0, LIMITS.maxCounterPrompts).map(({ prompt, score }) => ({ prompt: prompt.slice(0, LIMITS.promptChars), score }));
  const fidelity = counters.length > 0 ? { matchesOwn: counters.every((c) => result.clipScore > c.score), own: result.clipScore, counters } : undefined;
  return { clipScore: result.clipScore, ...(fidelity ? { fidelity } : {}) };
}

/** What the item must come out as: the key signed for it and its size. */
interface Expected {
  key: string;
  width: number;
  height: number;
}

// Render times past a day are not render times; the column is an int4.
const MAX_RENDER_MS = 86_400_000;

/** The most bytes a PNG of this size may have: every pixel stored raw as RGBA, plus room for metadata. */
export function maxPngBytes(width: number, height: number): number {
  return width * height * 4 + height + (1 << 20);
}

/**
 * The object must be where it was signed for, a PNG of the item's size, with
 * the size and MD5 the agent reported; undefined when it is. Where the store
 * sends notices of its uploads, a notice with that size and MD5 confirms the
 * bytes without a request, and the agent's reported size is taken for the
 * PNG's (see mustReadBack for the outputs read all the same). The numbers an
 * agent sends are checked here, before they reach a statement shared with
 * other agents' outputs. An object that is not what the lease holder
 * reported is deleted, so that whatever was put there (by anyone) cannot
 * block the item: its next attempt uploads afresh.
 */
async function verifyUpload(deps: OutputResultsDeps, session: AgentSession, result: ItemResult__Output): Promise<string | undefined> {
  if (!LIMITS.rowId.test(result.itemId)) return "item_id must be an item's number";
  const expected = await expectedOf(deps.db, session, result);
  if (!expected || expected.key !== result.key) return `object key ${result.key.slice(0, 200)} is not the one signed for item ${result.itemId}`;
  if (!/^[0-9a-f]{64}$/.test(result.sha256)) return "sha256 must be 64 hex digits";
  if (!/^[0-9a-f]{32}$/.test(result.md5)) return "md5 must be 32 hex digits: a result without the checksum of its bytes is refused";
  if (result.width !== expected.width || result.height !== expected.height) {
    return `the item renders at ${expected.width}x${expected.height}; the agent reported ${result.width}x${result.height}`;
  }
  if (result.renderMs > MAX_RENDER_MS || result.modelLoadMs > result.renderMs) return `render_ms must be at most ${MAX_RENDER_MS} and at least model_load_ms`;
  const limit = maxPngBytes(expected.width, expected.height);
  if (Number(result.bytes) > limit) return `a ${expected.width}x${expected.height} PNG has at most ${limit} bytes; the agent reported ${result.bytes}`;
  if (deps.uploads && !mustReadBack(session)) {
    // The store's own notice of the upload: its size and MD5 are the object's.
    const stored = await deps.uploads.seen(result.key, NOTICE_WAIT_MS);
    if (stored && stored.bytes === Number(result.bytes) && stored.etag === result.md5) {
      deps.metrics.outputChecks.inc({ by: "notice" });
      return undefined;
    }
    if (!stored && deps.uploads.quietWarningDue()) {
      deps.log.warn("no upload notices from the object store lately: outputs are read back instead; check its notification target publishes to ATELIER_STORE_EVENTS_SUBJECT");
    }
    // No notice in time, or one of other bytes (an object put there before): the object decides.
  }
  // A store whose PUT is not atomic shows a key that another render of the
  // same item is writing again short for a moment: look again before refusing.
  let problem: string | undefined;
  for (let look = 1; look <= LOOKS; look++) {
    if (look > 1) await sleep(100 * (look - 1));
    const head = await deps.store.head(result.key, { firstBytes: PNG_HEADER_BYTES });
    if (!head) {
      session.readEveryOutput = true;
      return `object ${result.key} was not found in the bucket`;
    }
    problem = differs(head, result, expected);
    if (!problem) {
      deps.metrics.outputChecks.inc({ by: "read" });
      return undefined;
    }
  }
  session.readEveryOutput = true;
  if (await resultStore.holds(deps.db, { itemId: result.itemId, epoch: result.epoch, agentId: session.id })) {
    deps.uploads?.forget(result.key);
    await deps.store.delete(result.key);
    deps.log.warn({ agentId: session.id, itemId: result.itemId, key: result.key, problem }, "deleted an object that is not what the lease holder reported");
  }
  return problem;
}

/**
 * Whether this output is read back although the store's notices could
 * confirm it. A notice vouches for the bytes (size and MD5) but shows
 * neither format nor dimensions: reading each stream's first output and one
 * in READ_ONE_IN after it catches an agent that uploads what it should not,
 * and from its first failed check on, all of its outputs are read.
 */
function mustReadBack(session: AgentSession): boolean {
  return session.readEveryOutput || session.outputsChecked++ % READ_ONE_IN === 0;
}

/** Why the object is not the one the agent reported, or undefined. */
function differs(head: ObjectHead, result: ItemResult__Output, expected: Expected): string | undefined {
  if (head.bytes !== Number(result.bytes)) return `object ${result.key} has ${head.bytes} bytes; the agent reported ${result.bytes}`;
  // The signature and an intact IHDR chunk: its width and height.
  const size = readPngSize(head.firstBytes ?? new Uint8Array());
  if (!size) return `object ${result.key} is not a PNG`;
  const { width, height } = size;
  if (width !== expected.width || height !== expected.height) {
    return `object ${result.key} is a ${width}x${height} PNG; the item renders at ${expected.width}x${expected.height}`;
  }
  // An ETag is the MD5 of the bytes for a single-part upload (S3, MinIO,
  // s3rver), which is how agents upload; a multipart or encrypted object's is
  // not an MD5 and cannot vouch for the bytes.
  if (!head.etag || !/^[0-9a-f]{32}$/.test(head.etag)) return `object ${result.key} has no MD5 ETag to check the agent's report against`;
  if (head.etag !== result.md5) return `object ${result.key} holds other bytes (MD5 ${head.etag}) than the agent reported (MD5 ${result.md5})`;
  return undefined;
}

async function expectedOf(db: Database, session: AgentSession, result: ItemResult__Output): Promise<Expected | undefined> {
  const shard = session.shards.get(result.shardId);
  const key = shard?.keys.get(result.itemId);
  if (shard && key) return { key, width: shard.width, height: shard.height };
  const item = await resultStore.identityOf(db, result.itemId);
  return item && { key: objectKeyFor(item.tenantId, item.batchId, item.index, item.seed), ...outputSizeOf({ ...item, ...item.options }) };
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
