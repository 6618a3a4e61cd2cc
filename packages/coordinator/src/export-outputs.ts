import type * as grpc from "@grpc/grpc-js";
import { exportStore, type Database } from "@atelier/db";
import type { Batch, ExportOutputsRequest__Output, ExportRow } from "@atelier/protocol";
import type { Caller } from "./auth/authenticator.ts";
import { CapacityError, ValidationError } from "./errors.ts";
import { TERMINAL_STATES } from "./progress.ts";
import type { ObjectStore } from "./storage/index.ts";

const EXPORT_PAGE = 200;
const MAX_URL_TTL_MS = 7 * 24 * 3_600_000;

export interface ExportOutputsDeps {
  db: Database;
  store: ObjectStore;
  /** The batch as the caller may see it; throws NotFound for one it may not. */
  describeBatch: (caller: Caller, batchId: string) => Promise<Batch>;
  fail: (error: unknown) => grpc.ServiceError;
}

/**
 * Farm.ExportOutputs: a finished batch's outputs, page by page in export
 * order, each with a presigned GET URL signed as it is sent. The stream
 * waits for the client to drain, so a slow exporter holds one page here.
 * Only a finished batch is served: a running one would give another
 * dataset each time it is exported.
 */
export function exportOutputs(deps: ExportOutputsDeps) {
  return (caller: Caller, call: grpc.ServerWritableStream<ExportOutputsRequest__Output, ExportRow>) => {
    const request = call.request;
    (async () => {
      const problems: string[] = [];
      if (request.urlTtlMs < 1_000 || request.urlTtlMs > MAX_URL_TTL_MS) problems.push(`url_ttl_ms must be between 1000 and ${MAX_URL_TTL_MS} (7 days, what S3 signs at most); got ${request.urlTtlMs}`);
      if (request.hasMinClipScore && !(request.minClipScore >= -1 && request.minClipScore <= 1)) problems.push(`min_clip_score is a cosine similarity, from -1 to 1; got ${request.minClipScore}`);
      if (request.afterKey.length > 1024) problems.push(`after_key is an object key, at most 1024 characters; got ${request.afterKey.length}`);
      if (problems.length) throw new ValidationError(problems);
      const batch = await deps.describeBatch(caller, request.batchId);
      const state = String(batch.state).replace(/^BATCH_STATE_/, "").toLowerCase();
      if (!TERMINAL_STATES.has(state)) {
        throw new CapacityError(`batch ${request.batchId} is ${state} (${Number(batch.done)} of ${Number(batch.total)} done): export it once it has finished, so that its shards stay the same`);
      }
      let after = request.afterKey ? { index: request.afterIndex, key: request.afterKey } : null;
      for (;;) {
        const page = await exportStore.page(deps.db, {
          batchId: request.batchId, after, includeRejected: request.includeRejected,
          minClipScore: request.hasMinClipScore ? request.minClipScore : null, limit: EXPORT_PAGE,
        });
        for (const row of page) {
          if (call.cancelled) return;
          const url = await deps.store.presignGet(row.key, { expiresInMs: request.urlTtlMs });
          const more = call.write({
            index: row.index, key: row.key, prompt: row.prompt, negativePrompt: row.negativePrompt, seed: row.seed, model: row.model,
            width: row.width, height: row.height, steps: row.steps, guidance: row.guidance, sampler: row.sampler,
            optionsJson: JSON.stringify(row.options), sha256: row.sha256, bytes: row.bytes,
            hasClipScore: row.clipScore !== null, clipScore: row.clipScore ?? 0, accepted: row.accepted,
            fidelityJson: row.fidelity === null || row.fidelity === undefined ? "" : JSON.stringify(row.fidelity), axes: row.axes ?? {}, url,
          });
          if (!more) await new Promise((resolve) => call.once("drain", resolve));
        }
        if (page.length < EXPORT_PAGE || call.cancelled) break;
        const last = page[page.length - 1]!;
        after = { index: last.index, key: last.key };
      }
      call.end();
    })().catch((error: unknown) => call.emit("error", deps.fail(error)));
  };
}
