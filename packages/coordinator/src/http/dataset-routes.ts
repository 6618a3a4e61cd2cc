import type { Logger } from "@atelier/common";
import { EXPORT_FORMATS, MAX_SHARD_ITEMS } from "@atelier/dataset";
import { drawSweepGridsOffThread, SweepGridError, type SweepImage } from "@atelier/dataset/grid";
import { auditStore, batchStore, outputStore, type Database } from "@atelier/db";
import type { ExportRequest } from "@atelier/dashboard/api-types";
import type { EventBus } from "../events/index.ts";
import { ExportConflictError, ExportJobs } from "../exports/export-jobs.ts";
import { TERMINAL_STATES } from "../progress.ts";
import type { ObjectStore } from "../storage/index.ts";
import { HttpError, readJson } from "./http-io.ts";
import type { Route } from "./router.ts";

export interface DatasetRoutesDeps {
  db: Database;
  store: ObjectStore;
  bus: EventBus;
  log: Logger;
  /** Lifetime of the links to an export's files. */
  fileUrlTtlMs: number;
}

// A grid page is drawn in a worker thread: drawn on the main thread, a page
// of 1,000 images of 64 px blocked the coordinator's event loop (its gRPC
// leases and heartbeats) for 1.1-2.4 s, in a worker 30-80 ms at the same
// load (test/bench/README.md, "Grid pages off the coordinator's event
// loop"). Past this many images a page belongs in `atelier grid` (which
// allows 10,000) or an export. The worker shrinks images to tiles of at most
// GRID_MAX_TILE px as they arrive, so a page holds at most about
// 1,000 x 256 x 256 x 3 bytes of tiles (200 MB) and a canvas of the same
// order.
const MAX_GRID_IMAGES = 1_000;
const GRID_MAX_TILE = 256;
// Grids drawn at once by this coordinator; more wait for a retry.
const MAX_GRIDS_IN_FLIGHT = 2;
const GRID_PAGE = 500;
const EXPORT_FIELDS = new Set(["format", "shardItems", "minClipScore", "includeRejected"]);

/**
 * A sweep's grid and server-side dataset exports for the batch page: the
 * grid `atelier grid` draws, one Z page at a time, and exports of a finished
 * batch into the farm's bucket that report their progress live.
 */
export function datasetRoutes(deps: DatasetRoutesDeps): { routes: Route[]; close(): Promise<void> } {
  const { db, store } = deps;
  const exports = new ExportJobs({ db, store, bus: deps.bus, log: deps.log, heartbeatMs: 5_000, maxRunning: 2, publishEveryMs: 250, fileUrlTtlMs: deps.fileUrlTtlMs });
  let gridsInFlight = 0;

  const existing = async (batchId: string) => {
    const batch = await batchStore.get(db, batchId);
    if (!batch || batch.state === "receiving") throw new HttpError(404, `batch ${batchId} not found`);
    return batch;
  };
  const finished = async (batchId: string) => {
    const batch = await existing(batchId);
    if (!TERMINAL_STATES.has(batch.state)) {
      throw new HttpError(409, `batch ${batchId} is ${batch.state} (${batch.done} of ${batch.total} done): export it once it has finished, so that its shards stay the same`);
    }
    return batch;
  };
  const exportId = (raw: string) => {
    if (!ExportJobs.isJobId(raw)) throw new HttpError(400, `exportId must be an export's id, like 20261130T001512Z-1a2b3c (got ${JSON.stringify(raw.slice(0, 40))})`);
    return raw;
  };
  const conflicts = async <T>(action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      if (error instanceof ExportConflictError) throw new HttpError(409, error.message);
      throw error;
    }
  };

  const routes: Route[] = [
    {
      method: "GET",
      path: "/api/batches/:id/sweep",
      handler: async ({ params }) => ({ axes: (await existing(params.id!)).planAxes ?? [] }),
    },
    {
      method: "GET",
      path: "/api/batches/:id/grid",
      handler: async ({ params, url, response }) => {
        const batch = await existing(params.id!);
        const rawZ = url.searchParams.get("z") ?? "0";
        const z = /^\d{1,6}$/.test(rawZ) ? Number(rawZ) : Number.NaN;
        if (Number.isNaN(z)) throw new HttpError(400, `z must be a whole number, the Z axis's value from 0 (got ${JSON.stringify(rawZ.slice(0, 20))})`);
        if (gridsInFlight >= MAX_GRIDS_IN_FLIGHT) throw new HttpError(503, "the coordinator is drawing other grids; try again in a moment", { "retry-after": "2" });
        gridsInFlight++;
        try {
          const grids = await drawSweepGridsOffThread(batch.planAxes ?? [], gridImages(db, store, batch.id), { z, maxImages: MAX_GRID_IMAGES, maxTile: GRID_MAX_TILE });
          const page = grids.pages[0];
          if (!page) throw new HttpError(404, `batch ${batch.id} has no finished images on this page yet`);
          response.writeHead(200, {
            "content-type": "image/png",
            "content-length": String(page.png.byteLength),
            // A finished batch's grid stays the same until an image is released or deleted.
            "cache-control": TERMINAL_STATES.has(batch.state) ? "private, max-age=60" : "no-store",
            "x-grid-images": String(grids.images),
            "x-grid-withheld": String(grids.withheld),
          }).end(page.png);
          return undefined;
        } catch (error) {
          if (error instanceof SweepGridError) throw new HttpError(400, `batch ${batch.id}: ${error.message}`);
          throw error;
        } finally {
          gridsInFlight--;
        }
      },
    },
    {
      method: "GET",
      path: "/api/batches/:id/exports",
      handler: async ({ params }) => {
        const batch = await existing(params.id!);
        return { exports: await exports.list({ id: batch.id, tenantId: batch.tenantId }) };
      },
    },
    {
      method: "POST",
      path: "/api/batches/:id/exports",
      handler: async ({ params, request, session }) => {
        const body = exportRequest(await readJson(request, 4096));
        const batch = await finished(params.id!);
        const actor = session!.principal.actor;
        const job = await conflicts(() => exports.start({ id: batch.id, tenantId: batch.tenantId }, body, actor));
        await auditStore.record(db, { actor, action: "dataset.export", target: batch.id, detail: { export: job.id, location: job.location, ...body } });
        return job;
      },
    },
    {
      method: "POST",
      path: "/api/batches/:id/exports/:exportId/resume",
      handler: async ({ params, session }) => {
        const id = exportId(params.exportId!);
        const batch = await finished(params.id!);
        const actor = session!.principal.actor;
        const job = await conflicts(() => exports.resume({ id: batch.id, tenantId: batch.tenantId }, id, actor));
        if (!job) throw new HttpError(404, `batch ${batch.id} has no export ${id}`);
        await auditStore.record(db, { actor, action: "dataset.export.resume", target: batch.id, detail: { export: id, samples: job.samples } });
        return job;
      },
    },
  ];
  return { routes, close: () => exports.close() };
}

/** The sweep's accepted images in item order; a quarantined one keeps its place without its pixels. */
async function* gridImages(db: Database, store: ObjectStore, batchId: string): AsyncGenerator<SweepImage> {
  let after = -1;
  for (;;) {
    const page = await outputStore.gridPage(db, batchId, after, GRID_PAGE);
    for (const row of page) {
      yield { key: row.key, index: row.index, width: row.width, height: row.height, axes: row.axes, image: row.quarantined ? null : () => store.get(row.key) };
    }
    if (page.length < GRID_PAGE) return;
    after = page.at(-1)!.index;
  }
}

/** The body of POST /api/batches/:id/exports, checked field by field; `atelier export`'s defaults fill what is left out. */
function exportRequest(body: unknown): ExportRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "the body must be a JSON object");
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((name) => !EXPORT_FIELDS.has(name));
  if (unknown.length > 0) throw new HttpError(400, `unknown field ${unknown.map((name) => JSON.stringify(name)).join(", ")}: an export takes ${[...EXPORT_FIELDS].join(", ")}`);
  const { format = "both", shardItems = 1000, minClipScore = null, includeRejected = false } = fields;
  const problems: string[] = [];
  if (typeof format !== "string" || !(EXPORT_FORMATS as readonly string[]).includes(format)) problems.push(`format must be one of ${EXPORT_FORMATS.join(", ")} (got ${JSON.stringify(format)})`);
  if (typeof shardItems !== "number" || !Number.isInteger(shardItems) || shardItems < 1 || shardItems > MAX_SHARD_ITEMS) {
    problems.push(`shardItems must be a whole number from 1 to ${MAX_SHARD_ITEMS} (got ${JSON.stringify(shardItems)})`);
  }
  if (minClipScore !== null && (typeof minClipScore !== "number" || !(minClipScore >= -1 && minClipScore <= 1))) {
    problems.push(`minClipScore is a cosine similarity, from -1 to 1, or null for every output (got ${JSON.stringify(minClipScore)})`);
  }
  if (typeof includeRejected !== "boolean") problems.push(`includeRejected must be true or false (got ${JSON.stringify(includeRejected)})`);
  if (problems.length > 0) throw new HttpError(400, problems.join("; "));
  return { format: format as ExportRequest["format"], shardItems: shardItems as number, minClipScore: minClipScore as number | null, includeRejected: includeRejected as boolean };
}
