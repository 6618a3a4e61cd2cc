// A render worker thread: owns onnxruntime sessions and renders one request
// (one image, or several that share a UNet call) at a time, so that the
// agent's main thread (heartbeats, the gRPC stream) never waits on inference.
import { parentPort, workerData } from "node:worker_threads";
import {
  decodePng, encodePng, Pipeline, PipelineCache, stampAtelierMark, Upscaler, upscaleForHires, validateRenderRequest,
  type PipelineLease, type RenderRequest, type RenderResult,
} from "@atelier/diffusion";
import { ClipScoring } from "./clip-scoring.ts";
import type { ClipResult, FromWorker, RenderJob, ToWorker } from "./render-protocol.ts";

interface WorkerOptions {
  models: Record<string, string>;
  /** upscaler name -> folder (hires fix and upscale) */
  upscalers?: Record<string, string>;
  providers: string[];
  intraOpThreads: number;
  /** Bytes of idle pipelines kept loaded; unset keeps every model loaded. */
  modelMemoryBytes?: number;
  /** Memory for one UNet call's activations: sets how many images share it; unset, one image a call. */
  batchMemoryBytes?: number;
  /** A CLIP model folder, loaded when a job first asks for scores. */
  clipModel?: string;
}

const options = workerData as WorkerOptions;
const port = parentPort!;
const pipelines = new PipelineCache({
  memoryBudgetBytes: options.modelMemoryBytes ?? Number.POSITIVE_INFINITY,
  load: (model) => {
    const dir = options.models[model];
    if (!dir) return Promise.reject(new Error(`model ${model} is not installed on this agent`));
    return Pipeline.load(dir, { providers: options.providers, intraOpThreads: options.intraOpThreads });
  },
});
const running = new Map<number, AbortController>();
const clipScoring = options.clipModel ? new ClipScoring({ dir: options.clipModel, providers: options.providers, intraOpThreads: options.intraOpThreads }) : undefined;
// Upscalers are small (an ESRGAN is ~70 MB): each stays loaded once used.
const upscalers = new Map<string, Promise<Upscaler>>();

function upscalerNamed(name: string): Promise<Upscaler> {
  let loading = upscalers.get(name);
  if (!loading) {
    const dir = options.upscalers?.[name];
    if (!dir) return Promise.reject(new NotInstalledError(`upscaler ${name} is not installed on this agent`));
    loading = Upscaler.load(dir, { providers: options.providers, intraOpThreads: options.intraOpThreads });
    loading.catch(() => upscalers.delete(name));
    upscalers.set(name, loading);
  }
  return loading;
}

class NotInstalledError extends Error {
  override name = "NotInstalledError";
}

// Errors that fail the same way on every try, on any agent: the item fails at
// once. A model or upscaler this agent lacks or cannot load is not among them:
// another agent's copy of that folder may be whole.
const PERMANENT = new Set(["PromptTooLongError", "ValidationError", "NonFiniteValuesError"]);

/**
 * The image upscaled by `scale` with the named upscaler (run until the
 * size is reached, then bicubic to the exact size), its text kept and A1111's
 * "Postprocess" keys added to `parameters`.
 */
async function upscaled(png: Uint8Array, upscale: { model: string; scale: number }, watermark: boolean): Promise<{ png: Uint8Array; width: number; height: number }> {
  const upscaler = await upscalerNamed(upscale.model);
  const image = decodePng(png);
  let rgb = image.pixels;
  if (image.channels === 4) {
    rgb = new Uint8Array(image.width * image.height * 3);
    for (let k = 0; k < image.width * image.height; k++) rgb.set(image.pixels.subarray(4 * k, 4 * k + 3), 3 * k);
  }
  const target = { width: image.width * upscale.scale, height: image.height * upscale.scale };
  const out = await upscaleForHires(rgb, image.width, image.height, target, upscaler);
  const text = { ...image.text };
  if (text["parameters"] !== undefined) text["parameters"] += `, Postprocess upscale by: ${upscale.scale}, Postprocess upscaler: ${upscale.model}`;
  if (text["atelier"] !== undefined) {
    const provenance = JSON.parse(text["atelier"]) as Record<string, unknown>;
    text["atelier"] = JSON.stringify({ ...provenance, upscale: { model: upscale.model, scale: upscale.scale, width: target.width, height: target.height } });
  }
  const pixels = watermark ? stampAtelierMark(out, target.width, target.height) : out;
  return { png: encodePng(pixels, target.width, target.height, text), ...target };
}

function post(message: FromWorker, transfer: ArrayBuffer[] = []) {
  port.postMessage(message, transfer);
}

async function render(id: number, jobs: RenderJob[], abort: AbortController) {
  try {
    if (abort.signal.aborted) {
      post({ type: "failed", id, error: "render cancelled before it started", retryable: false, cancelled: true });
      return;
    }
    const requests = jobs.map((job): RenderRequest => ({
      prompt: job.prompt,
      negativePrompt: job.negativePrompt,
      seed: job.seed,
      width: job.width,
      height: job.height,
      steps: job.steps,
      guidance: job.guidance,
      sampler: job.sampler as RenderRequest["sampler"],
      ...(job.clipSkip ? { clipSkip: job.clipSkip } : {}),
      ...(job.seedSource ? { noiseSource: job.seedSource as RenderRequest["noiseSource"] } : {}),
      ...(job.refinerStart ? { refinerStart: job.refinerStart } : {}),
      ...(job.hires ? { hires: { scale: job.hires.scale, denoise: job.hires.denoise, upscaler: job.hires.upscaler, ...(job.hires.steps ? { steps: job.hires.steps } : {}) } } : {}),
      ...(job.label ? { label: job.label } : {}),
      // An image upscaled afterwards is stamped after the upscale instead.
      ...(job.watermark && !job.upscale ? { watermark: true } : {}),
      ...(job.attribution ? { attribution: job.attribution } : {}),
    }));
    const problems = requests.flatMap((request) => validateRenderRequest(request));
    if (problems.length > 0) {
      post({ type: "failed", id, error: problems.join("; "), retryable: false, cancelled: false });
      return;
    }
    // The images of one request share their options (one shard, one pipeline key).
    const { model, width, height, refinerModel, hires, upscale, watermark } = jobs[0]!;
    const needed = [model, ...(refinerModel ? [refinerModel] : [])];
    const missing = needed.find((name) => !options.models[name]);
    if (missing) throw new NotInstalledError(`model ${missing} is not installed on this agent`);
    const cold = needed.some((name) => !pipelines.models.includes(name));
    const loadStarted = performance.now();
    const leases: PipelineLease[] = [];
    const results: RenderResult[] = [];
    let renderStarted = performance.now();
    let loadMs = 0;
    let inferenceMs = 0;
    let unetMs = 0;
    try {
      for (const name of needed) leases.push(await pipelines.acquire(name));
      const upscaler = hires && hires.upscaler !== "bicubic" ? await upscalerNamed(hires.upscaler) : undefined;
      if (upscale) await upscalerNamed(upscale.model);
      loadMs = cold ? performance.now() - loadStarted : 0;
      renderStarted = performance.now();
      const [base, refiner] = leases.map((lease) => lease.pipeline);
      // The farm quarantines flagged images for a moderator to judge, so it keeps their pixels.
      const renderOptions = { signal: abort.signal, flagged: "keep" as const, ...(refiner ? { refiner } : {}), ...(upscaler ? { upscaler } : {}) };
      // As many images per UNet call as the memory budget allows; one at a time without a budget.
      const perCall = options.batchMemoryBytes ? Math.max(1, base!.maxBatchFor(width, height, options.batchMemoryBytes)) : 1;
      // Requests run one at a time (see `queue`), so the UNet clocks' growth is this request's.
      const unetClock = () => leases.reduce((sum, lease) => sum + lease.pipeline.stats.sessionRunMsByPart.unet, 0);
      const unetBefore = unetClock();
      for (let start = 0; start < requests.length; start += perCall) {
        const call = await base!.renderBatch(requests.slice(start, start + perCall), renderOptions);
        inferenceMs += call[0]?.inferenceMs ?? 0; // shared by the images of one call
        results.push(...call);
      }
      unetMs = unetClock() - unetBefore;
    } finally {
      for (const lease of leases) lease.release();
    }
    const images = [];
    for (const result of results) {
      const image = upscale ? await upscaled(result.png, upscale, watermark === true) : { png: result.png.slice(), width: result.width, height: result.height };
      images.push({ ...image, nsfw: result.nsfw, ...(result.safetyChecked ? { safetyVerdict: result.nsfw ? ("flagged" as const) : ("passed" as const) } : {}), ...(result.attribution ? { attribution: result.attribution } : {}) });
    }
    const clip = jobs[0]!.clip;
    if (clip) {
      if (!clipScoring) throw new NotInstalledError("this agent has no CLIP model to score images with (start it with --clip-model)");
      for (const [k, image] of images.entries()) {
        const scored: { png: Uint8Array; clip: ClipResult } = await clipScoring.score(image.png, jobs[k]!.prompt, clip);
        images[k] = { ...image, ...scored };
      }
    }
    post(
      { type: "rendered", id, images, loadMs, inferenceMs, unetMs, totalMs: performance.now() - renderStarted },
      images.map((image) => image.png.buffer as ArrayBuffer),
    );
  } catch (error) {
    const err = error as Error;
    const cancelled = err.name === "AbortError";
    // A prompt over the token window, NaN latents (a broken model or an fp16 overflow), a model this agent lacks: the same every time.
    const retryable = !cancelled && !PERMANENT.has(err.name);
    post({ type: "failed", id, error: err.message, retryable, cancelled });
  } finally {
    running.delete(id);
  }
}

// Requests run one after another, in the order they came: the agent sends the
// next one before the current one is done (so that the UNet does not wait on
// uploads), and a queued request can be cancelled before it starts.
let queue: Promise<void> = Promise.resolve();

port.on("message", (message: ToWorker) => {
  if (message.type === "render") {
    const abort = new AbortController();
    running.set(message.id, abort);
    queue = queue.then(() => render(message.id, message.jobs, abort));
  } else running.get(message.id)?.abort();
});

// Load the models up front, one at a time, so that the first shards do not
// pay for them; with a memory budget, the cache keeps those that fit.
void (async () => {
  for (const model of Object.keys(options.models)) {
    await pipelines.acquire(model).then((lease) => lease.release(), () => undefined);
  }
  post({ type: "ready", models: Object.keys(options.models) });
})();
