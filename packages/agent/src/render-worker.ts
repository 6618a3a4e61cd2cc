// A render worker thread: owns the text encoders and UNets and denoises one
// request (one image, or several that share a UNet call) at a time, so that
// the agent's main thread (heartbeats, the gRPC stream) never waits on
// inference. It hands each request's latents to the finish worker
// (finish-worker.ts), which decodes and encodes them while this thread
// denoises the next request: onnxruntime-node's session.run holds the
// calling thread, so a VAE decode or PNG encoding here would hold the UNet.
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { Pipeline, PipelineCache, validateRenderRequest, type DenoisedBatch, type PipelineLease, type RenderRequest, type RenderResult } from "@atelier/diffusion";
import type { FromFinisher, FromWorker, RenderJob, ToFinisher, ToWorker } from "./render-protocol.ts";
import { failureMessage, NotInstalledError, Postprocess, type PostprocessOptions } from "./render-postprocess.ts";

interface WorkerOptions extends PostprocessOptions {
  models: Record<string, string>;
  /** Bytes of idle pipelines kept loaded; unset keeps every model loaded. */
  modelMemoryBytes?: number;
  /** Memory for one UNet call's activations: sets how many images share it; unset, one image a call. */
  batchMemoryBytes?: number;
  /** The finish worker's end of a channel between the two. */
  finishPort: MessagePort;
}

// Requests handed to the finish worker and not yet answered. The next
// request is denoised only while fewer than this many are there, so at most
// this many requests' latents wait, one of them being decoded.
const MAX_FINISHING = 2;

const options = workerData as WorkerOptions;
const port = parentPort!;
const finishPort = options.finishPort;
const pipelines = new PipelineCache({
  memoryBudgetBytes: options.modelMemoryBytes ?? Number.POSITIVE_INFINITY,
  load: (model) => {
    const dir = options.models[model];
    if (!dir) return Promise.reject(new Error(`model ${model} is not installed on this agent`));
    return Pipeline.load(dir, { providers: options.providers, intraOpThreads: options.intraOpThreads });
  },
});
const running = new Map<number, AbortController>();
// Requests in the finish worker: a cancel for one of them goes on there.
const finishing = new Set<number>();
const roomWaiters: (() => void)[] = [];
const postprocess = new Postprocess(options);

function post(message: FromWorker, transfer: ArrayBuffer[] = []) {
  port.postMessage(message, transfer);
}

function finishRoom(): Promise<void> {
  if (finishing.size < MAX_FINISHING) return Promise.resolve();
  return new Promise((resolve) => roomWaiters.push(resolve));
}

finishPort.on("message", (message: FromFinisher) => {
  finishing.delete(message.id);
  if (finishing.size < MAX_FINISHING) roomWaiters.shift()?.();
});

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
    const { model, width, height, refinerModel, hires, upscale } = jobs[0]!;
    const needed = [model, ...(refinerModel ? [refinerModel] : [])];
    const missing = needed.find((name) => !options.models[name]);
    if (missing) throw new NotInstalledError(`model ${missing} is not installed on this agent`);
    // A hires fix decodes between its passes and a refined image is decoded by the refiner's VAE:
    // those are finished here. The rest go to the finish worker once denoised.
    const handOff = !hires && !refinerModel;
    if (handOff) {
      await finishRoom();
      if (abort.signal.aborted) {
        post({ type: "failed", id, error: "render cancelled before it started", retryable: false, cancelled: true });
        return;
      }
    }
    const cold = needed.some((name) => !pipelines.models.includes(name));
    const loadStarted = performance.now();
    const leases: PipelineLease[] = [];
    const results: RenderResult[] = [];
    const batches: DenoisedBatch[] = [];
    let renderStarted = performance.now();
    let loadMs = 0;
    let inferenceMs = 0;
    let unetMs = 0;
    try {
      for (const name of needed) leases.push(await pipelines.acquire(name));
      const upscaler = hires && hires.upscaler !== "bicubic" ? await postprocess.upscalerNamed(hires.upscaler) : undefined;
      if (upscale && !handOff) await postprocess.upscalerNamed(upscale.model);
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
        const some = requests.slice(start, start + perCall);
        if (handOff) {
          batches.push(await base!.denoise(some, renderOptions));
        } else {
          const call = await base!.renderBatch(some, renderOptions);
          inferenceMs += call[0]?.inferenceMs ?? 0; // shared by the images of one call
          results.push(...call);
        }
      }
      unetMs = unetClock() - unetBefore;
    } finally {
      for (const lease of leases) lease.release();
    }
    if (handOff) {
      // Copied, not transferred: latents are small (64 KiB an image at 512²), and may share a buffer.
      const message: ToFinisher = { type: "finish", id, model, jobs, batches, loadMs, unetMs, startedAtMs: performance.timeOrigin + renderStarted };
      finishing.add(id);
      finishPort.postMessage(message);
      return;
    }
    const images = await postprocess.images(results, jobs);
    post(
      { type: "rendered", id, images, loadMs, inferenceMs, unetMs, totalMs: performance.now() - renderStarted },
      images.map((image) => image.png.buffer as ArrayBuffer),
    );
  } catch (error) {
    post(failureMessage(id, error));
  } finally {
    running.delete(id);
  }
}

// Requests are denoised one after another, in the order they came: the agent
// sends the next ones before the current one is done (so that the UNet does
// not wait on decoding and uploads), and a queued request can be cancelled
// before it starts.
let queue: Promise<void> = Promise.resolve();

port.on("message", (message: ToWorker) => {
  if (message.type === "render") {
    const abort = new AbortController();
    running.set(message.id, abort);
    queue = queue.then(() => render(message.id, message.jobs, abort));
  } else if (finishing.has(message.id)) {
    finishPort.postMessage({ type: "cancel", id: message.id } satisfies ToFinisher);
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
