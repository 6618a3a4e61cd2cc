import { createHash } from "node:crypto";
import type { Assign__Output, ItemResult } from "@atelier/protocol";
import type { Logger } from "@atelier/common";
import type { Attribution } from "@atelier/diffusion";
import type { Clock } from "./clock.ts";
import type { AgentObserver } from "./metrics/index.ts";
import { renderChunk } from "./render-chunk.ts";
import type { RenderJob, RenderJobOptions } from "./render-protocol.ts";
import { uploadPng } from "./uploader.ts";
import { RenderFailed, type Rendered, type Renderer } from "./worker-renderer.ts";

// Runs of a shard asked for beyond the one being reported: one denoising and one being decoded.
const RUNS_AHEAD = 2;
// Images of a shard being uploaded at once. An upload overlaps the next
// images' checksums and uploads, so that a model faster than its store's
// round trip (a one-step Turbo image in tens of milliseconds, a PUT to a
// distant bucket in a hundred) runs at its own pace, not the store's. It
// also bounds the finished images held for upload.
const UPLOADS_IN_FLIGHT = 4;

export interface RenderShardOptions {
  renderer: Renderer;
  /** Aborted when the lease is lost, the shard cancelled or handed back: nothing more is rendered, uploaded or reported. */
  signal: AbortSignal;
  log: Logger;
  clock: Clock;
  uploadAttempts: number;
  /** The most extra UNet time measuring keywords may cost an image, as a share of its own denoising (unset: the pipeline's default). */
  attributionMaxOverhead?: number;
  observer?: AgentObserver;
  /** Every item's outcome, an image uploaded or an error, as soon as it is known. */
  report(result: ItemResult): void;
  /** The shard's last image is rendered: the renderer is free for another shard while the last uploads end. */
  onRendered?(): void;
}

/** The options an Assign's settings set (proto3 zero values are "off"). */
function jobOptions(settings: NonNullable<Assign__Output["settings"]>): RenderJobOptions {
  const options: RenderJobOptions = {};
  if (settings.clipSkip) options.clipSkip = settings.clipSkip;
  if (settings.seedSource) options.seedSource = settings.seedSource;
  if (settings.refinerModel) options.refinerModel = settings.refinerModel;
  if (settings.refinerStart) options.refinerStart = settings.refinerStart;
  if (settings.hires) options.hires = { scale: settings.hires.scale, steps: settings.hires.steps, denoise: settings.hires.denoise, upscaler: settings.hires.upscaler };
  if (settings.upscale) options.upscale = { model: settings.upscale.model, scale: settings.upscale.scale };
  if (settings.clip?.score) options.clip = { counterPrompts: settings.clip.counterPrompts, fidelity: settings.clip.fidelity };
  return options;
}

/** The pipeline's figures as the result message carries them (keyword ids are creator ids). */
function attributionOf(attribution: Attribution): ItemResult["attribution"] {
  const { keywords, rest, sampledSteps, extraUnetMs, overhead } = attribution;
  return { keywords: keywords.map((k) => ({ creatorId: k.id, keyword: k.phrase, contribution: k.contribution, area: k.area, intensity: k.intensity })), rest, sampledSteps, extraUnetMs, overhead };
}

/**
 * Renders a leased shard's items on one renderer, uploads each image straight
 * to its presigned URL and reports it; an item that fails is reported with
 * its error and whether another try could succeed. Resolves when every item
 * is reported or the signal is aborted.
 */
export async function renderShard(assign: Assign__Output, options: RenderShardOptions): Promise<void> {
  const { renderer, signal, clock } = options;
  const settings = assign.settings!;
  const log = options.log.child({ shardId: assign.shardId, epoch: assign.epoch });
  log.debug({ items: assign.items.length }, "shard started");
  const renderOptions = jobOptions(settings);
  const job = (item: Assign__Output["items"][number]): RenderJob => ({
    model: settings.model, prompt: item.prompt, negativePrompt: item.negativePrompt, seed: item.seed, width: settings.width,
    height: settings.height, steps: settings.steps, guidance: settings.guidance ?? 0, sampler: settings.sampler, ...renderOptions,
    ...(assign.watermark ? { watermark: true } : {}),
    ...(assign.batchId ? { label: { batchId: assign.batchId, itemId: item.itemId, createdAt: new Date(Number(assign.batchCreatedAtMs)).toISOString() } } : {}),
    ...(item.keywords.length > 0 ? { attribution: {
      keywords: item.keywords.map((k) => ({ id: k.creatorId, phrase: k.keyword })),
      ...(options.attributionMaxOverhead !== undefined ? { maxOverhead: options.attributionMaxOverhead } : {}),
    } } : {}),
  });
  // A batching renderer takes a run of items at once (they share UNet calls); each is uploaded and reported on its own.
  const perRequest = Math.max(1, renderer.batchItems ?? 1);
  const runs: Assign__Output["items"][] = [];
  for (let start = 0; start < assign.items.length; start += perRequest) runs.push(assign.items.slice(start, start + perRequest));
  // A run asked for ahead waits behind the runs before it, so what it cost is
  // the time from the later of its asking and the previous run's end to its own
  // end: the agent's pace, which the coordinator's rate estimate sizes shards by.
  let previousDone = 0;
  const renderRun = (run: Assign__Output["items"]) => {
    const started = clock.monotonicMs();
    // renderChunk never rejects: a failed or cancelled image comes back as its error.
    return renderChunk(renderer, run.map(job), signal).then((outcomes) => {
      const done = clock.monotonicMs();
      const renderMs = (done - Math.max(started, previousDone)) / run.length;
      previousDone = done;
      return { outcomes, renderMs };
    });
  };
  // Runs asked for and not yet reported, in order. While one run is
  // checksummed and uploaded, the two after it are asked for: the renderer
  // denoises one while it decodes and encodes the other, so its UNet never
  // waits on this loop. Asking no further ahead bounds the images held.
  const asked: ReturnType<typeof renderRun>[] = [];
  let nextRun = 0;
  const askAhead = () => {
    while (asked.length < RUNS_AHEAD && nextRun < runs.length && !signal.aborted) asked.push(renderRun(runs[nextRun++]!));
  };
  askAhead();
  // Uploads under way; each reports its item when it ends, and never rejects.
  const uploading = new Set<Promise<void>>();
  try {
    for (const run of runs) {
      if (signal.aborted) break;
      const rendering = asked.shift();
      if (!rendering) break;
      const { outcomes, renderMs } = await rendering;
      askAhead();
      if (asked.length === 0 && nextRun === runs.length) options.onRendered?.();
      await uploadRun(run, outcomes, renderMs);
    }
  } finally {
    // Cancelled by the signal, renders asked for ahead end at their next step; the renderer is free once they resolve.
    await Promise.all(asked);
    await Promise.all(uploading);
  }

  async function uploadRun(run: Assign__Output["items"], outcomes: (Rendered | Error)[], renderMs: number): Promise<void> {
    for (const [k, item] of run.entries()) {
      const waitStarted = clock.monotonicMs();
      while (uploading.size >= UPLOADS_IN_FLIGHT && !signal.aborted) await Promise.race(uploading);
      if (signal.aborted) break;
      // The agent's pace: its render time, and the time the image waited for uploads ahead of it.
      const upload = uploadAndReport(item, outcomes[k]!, renderMs + clock.monotonicMs() - waitStarted).finally(() => uploading.delete(upload));
      uploading.add(upload);
    }
  }

  async function uploadAndReport(item: Assign__Output["items"][number], rendered: Rendered | Error, paceMs: number): Promise<void> {
    const uploadStarted = clock.monotonicMs();
    try {
      if (rendered instanceof Error) throw rendered;
      await uploadPng(item.uploadUrl, rendered.png, { attempts: options.uploadAttempts, baseDelayMs: 200, signal });
      options.observer?.rendered({
        steps: settings.steps, inferenceMs: rendered.inferenceMs, uploadMs: clock.monotonicMs() - uploadStarted,
        ...(rendered.unetMs !== undefined ? { unetMs: rendered.unetMs } : {}),
      });
      options.report({
        shardId: assign.shardId,
        epoch: assign.epoch,
        itemId: item.itemId,
        key: item.key,
        sha256: createHash("sha256").update(rendered.png).digest("hex"),
        md5: createHash("md5").update(rendered.png).digest("hex"),
        bytes: rendered.png.byteLength,
        width: rendered.width,
        height: rendered.height,
        renderMs: Math.round(paceMs),
        modelLoadMs: Math.round(rendered.loadMs ?? 0),
        ...(rendered.safetyVerdict ? { safetyVerdict: rendered.safetyVerdict } : {}),
        ...(rendered.attribution ? { attribution: attributionOf(rendered.attribution) } : {}),
        ...(rendered.clip ? { clipScore: rendered.clip.score, hasClipScore: true, counterScores: rendered.clip.counters } : {}),
      });
    } catch (error) {
      if (signal.aborted) return;
      const err = error as Error;
      const retryable = err instanceof RenderFailed ? err.retryable : (err as { retryable?: boolean }).retryable ?? true;
      log.warn({ itemId: item.itemId, err: err.message }, "item failed");
      options.observer?.failed(retryable);
      options.report({ shardId: assign.shardId, epoch: assign.epoch, itemId: item.itemId, error: err.message, retryable });
    }
  }
}
