import type { ServerResponse } from "node:http";
import { auditStore, batchReport, batchRerun, batchStore, dashboardQueries, type BatchCursor, type BatchState, type Database, type ItemState } from "@atelier/db";
import { readPngText } from "@atelier/diffusion/png";
import type { FarmHandlers } from "@atelier/protocol";
import { subjects, type EventBus } from "../events/index.ts";
import type { Logger } from "@atelier/common";
import { publishProgress } from "../progress.ts";
import type { ObjectStore } from "../storage/index.ts";
import type { BatchRateTracker } from "./batch-rate-tracker.ts";
import { galleryThumbnails } from "./gallery-thumbnails.ts";
import { HttpError } from "./http-io.ts";
import { callUnary } from "./in-process-call.ts";
import type { Route } from "./router.ts";
import { LIMITS } from "../limits.ts";

export interface BatchRoutesDeps {
  db: Database;
  store: ObjectStore;
  bus: EventBus;
  /** The Farm API as the signed-in admin calls it. */
  farm: (actor: string) => FarmHandlers;
  rates: BatchRateTracker;
  log: Logger;
  /** Lifetime of the presigned image URLs the gallery is redirected to. */
  imageUrlTtlMs: number;
}

// Where the dashboard reads an image's parameters: text chunks stand before
// the image data, and A1111's parameters are a few kilobytes.
const PNG_TEXT_READ_BYTES = 1024 * 1024;
const PNG_TEXT_MAX_BYTES = 256 * 1024;

/** Bins of the batch page's score histogram. */
const SCORE_BINS = 10;

const BATCH_STATES = new Set(["live", "queued", "running", "completed", "failed", "cancelled"]);
/** The gallery's filters; "pending" is everything not yet settled. */
const ITEM_FILTERS: Record<string, ItemState[]> = {
  pending: ["queued", "leased"],
  queued: ["queued"],
  leased: ["leased"],
  done: ["done"],
  failed: ["failed"],
  cancelled: ["cancelled"],
};

function limitParam(url: URL, fallback: number, max: number): number {
  const raw = url.searchParams.get("limit");
  if (raw === null) return fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new HttpError(400, `limit must be an integer from 1 to ${max} (got ${raw})`);
  return limit;
}

function itemIdParam(url: URL, name: string): string | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return undefined;
  if (!LIMITS.rowId.test(raw)) throw new HttpError(400, `${name} must be an item id (got ${raw})`);
  return raw;
}

/** Batches, their failures and items, the gallery's images, cancel and re-run. */
export function batchRoutes(deps: BatchRoutesDeps): Route[] {
  const { db } = deps;
  const thumbnails = galleryThumbnails(deps.store);
  // The coordinator never proxies image bytes: the browser fetches them from the bucket.
  const redirectTo = async (response: ServerResponse, key: string) => {
    const url = await deps.store.presignGet(key, { expiresInMs: deps.imageUrlTtlMs });
    response.writeHead(302, { location: url, "cache-control": `private, max-age=${Math.floor(deps.imageUrlTtlMs / 2000)}` }).end();
  };
  const existing = async (batchId: string) => {
    const batch = await batchStore.get(db, batchId);
    // A batch still being received is nobody's to see yet (batchStore.get leaves it out too).
    if (!batch || batch.state === "receiving") throw new HttpError(404, `batch ${batchId} not found`);
    return { ...batch, state: batch.state };
  };
  const describe = async (batchId: string) => {
    const batch = await existing(batchId);
    const failureReasons = batch.failed > 0 ? await dashboardQueries.failureReasons(db, batchId, 20) : [];
    return {
      batch: {
        id: batch.id,
        tenantId: batch.tenantId,
        name: batch.name,
        state: batch.state,
        priority: batch.priority,
        total: batch.total,
        done: batch.done,
        failed: batch.failed,
        cancelled: batch.cancelled,
        defaults: batch.defaults,
        createdAtMs: batch.createdAt.getTime(),
        finishedAtMs: batch.finishedAt?.getTime() ?? null,
        ratePerMin: deps.rates.ratePerMin(batchId),
      },
      failureReasons,
    };
  };

  return [
    {
      method: "GET",
      path: "/api/batches",
      handler: async ({ url }) => {
        const state = url.searchParams.get("state") || undefined;
        if (state !== undefined && !BATCH_STATES.has(state)) throw new HttpError(400, `state must be one of ${[...BATCH_STATES].join(", ")}`);
        const limit = limitParam(url, 50, 200);
        const before = url.searchParams.get("before");
        let cursor: BatchCursor | undefined;
        if (before) {
          const [at, ...id] = before.split(":");
          cursor = { createdAtMs: Number(at), id: id.join(":") };
          if (!Number.isFinite(cursor.createdAtMs)) throw new HttpError(400, "before must be a cursor from a previous page");
        }
        const batches = await dashboardQueries.listBatches(db, { state: state as BatchState | "live" | undefined, limit, before: cursor });
        const last = batches.at(-1);
        return {
          batches: batches.map((batch) => ({ ...batch, ratePerMin: deps.rates.ratePerMin(batch.id) })),
          next: batches.length === limit && last ? `${last.createdAtMs}:${last.id}` : null,
        };
      },
    },
    { method: "GET", path: "/api/batches/:id", handler: async ({ params }) => describe(params.id!) },
    {
      method: "GET",
      path: "/api/batches/:id/failures",
      handler: async ({ params, url }) => {
        await existing(params.id!);
        const limit = limitParam(url, 50, 500);
        const failures = await dashboardQueries.failedItems(db, params.id!, { afterItemId: itemIdParam(url, "after"), limit });
        return { failures, next: failures.length === limit ? failures.at(-1)!.itemId : null };
      },
    },
    {
      method: "GET",
      path: "/api/batches/:id/items",
      handler: async ({ params, url }) => {
        const batch = await existing(params.id!);
        const limit = limitParam(url, 100, 500);
        const minScoreText = url.searchParams.get("minScore");
        if (minScoreText !== null && minScoreText !== "") {
          // Cosine similarity: -1..1.
          const minScore = Number(minScoreText);
          if (!Number.isFinite(minScore) || minScore < -1 || minScore > 1) throw new HttpError(400, `minScore must be a CLIP similarity from -1 to 1 (got ${minScoreText.slice(0, 40)})`);
          const after = url.searchParams.get("after") || undefined;
          if (after !== undefined && !LIMITS.rowId.test(after)) throw new HttpError(400, `after must be a cursor from a previous page (got ${after.slice(0, 40)})`);
          return dashboardQueries.itemsByMinScore(db, batch.id, { minScore, afterOutputId: after, limit });
        }
        const filter = url.searchParams.get("state") || "all";
        if (filter === "all") {
          const from = Number(url.searchParams.get("from") ?? 0);
          if (!Number.isInteger(from) || from < 0) throw new HttpError(400, "from must be an item index");
          return { total: batch.total, items: await dashboardQueries.itemsByIndex(db, batch.id, { fromIndex: from, limit }) };
        }
        const states = ITEM_FILTERS[filter];
        if (!states) throw new HttpError(400, `state must be all or one of ${Object.keys(ITEM_FILTERS).join(", ")}`);
        const items = await dashboardQueries.itemsByState(db, batch.id, { states, afterItemId: itemIdParam(url, "after"), limit });
        return { items, next: items.length === limit ? items.at(-1)!.itemId : null };
      },
    },
    {
      method: "GET",
      path: "/api/batches/:id/report",
      handler: async ({ params }) => {
        const batch = await existing(params.id!);
        // The figures Farm.GetBatchReport and `atelier report` give, from the same rows.
        const report = await batchReport.of(db, batch.id);
        if (!report) throw new HttpError(404, `batch ${batch.id} not found`);
        return { report, histogram: await dashboardQueries.scoreHistogram(db, batch.id, SCORE_BINS) };
      },
    },
    {
      method: "GET",
      path: "/api/items/:id",
      handler: async ({ params }) => {
        const item = await dashboardQueries.item(db, params.id!);
        if (!item) throw new HttpError(404, `item ${params.id} not found`);
        let parameters: string | null = null;
        if (item.output) {
          // Read from the image itself: what a user who downloads it will see.
          // Only its first bytes are fetched and a compressed text inflates only
          // so far: an object in the bucket may be anything (a gigabyte, a deflate bomb).
          parameters = await deps.store.head(item.output.key, { firstBytes: PNG_TEXT_READ_BYTES }).then(
            (head) => (head?.firstBytes && readPngText(head.firstBytes, { maxTextBytes: PNG_TEXT_MAX_BYTES }).parameters) ?? null,
            (error: Error) => {
              deps.log.warn({ err: error, itemId: item.itemId, batchId: item.batchId }, "could not read the image's parameters");
              return null;
            },
          );
        }
        return { item, parameters };
      },
    },
    {
      method: "GET",
      path: "/api/items/:id/image",
      handler: async ({ params, response }) => {
        const item = await dashboardQueries.item(db, params.id!);
        if (!item?.output) throw new HttpError(404, `item ${params.id} has no image`);
        await redirectTo(response, item.output.key);
        return undefined;
      },
    },
    {
      method: "GET",
      path: "/api/items/:id/thumbnail",
      handler: async ({ params, response }) => {
        const item = await dashboardQueries.item(db, params.id!);
        if (!item?.output) throw new HttpError(404, `item ${params.id} has no image`);
        await redirectTo(response, await thumbnails.keyFor(item.output.key));
        return undefined;
      },
    },
    {
      method: "POST",
      path: "/api/batches/:id/cancel",
      handler: async ({ params, session }) => {
        await callUnary(deps.farm(session!.principal.actor).CancelBatch, { batchId: params.id! });
        deps.log.info({ batchId: params.id, by: "dashboard" }, "batch cancelled from the dashboard");
        return describe(params.id!);
      },
    },
    {
      method: "POST",
      path: "/api/batches/:id/rerun-failed",
      handler: async ({ params, session }) => {
        const outcome = await batchRerun.requeueFailed(db, params.id!);
        if (!outcome.rerun) {
          if (outcome.state === undefined || outcome.state === "receiving") throw new HttpError(404, `batch ${params.id} not found`);
          throw new HttpError(409, `batch ${params.id} was ${outcome.state}; its failed items stay as they are`);
        }
        deps.log.info({ batchId: params.id, requeued: outcome.requeued, by: "dashboard" }, "failed items re-queued");
        await auditStore.record(db, { actor: session!.principal.actor, action: "batch.rerun", target: params.id!, detail: { requeued: outcome.requeued } });
        await publishProgress(db, deps.bus, outcome.counts);
        if (outcome.requeued > 0) await deps.bus.publish(subjects.work, { batchId: params.id });
        return { requeued: outcome.requeued, ...(await describe(params.id!)) };
      },
    },
  ];
}
