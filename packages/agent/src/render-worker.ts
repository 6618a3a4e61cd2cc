// A render worker thread: owns onnxruntime sessions and renders one request
// (one image, or several that share a UNet call) at a time, so that the
// agent's main thread (heartbeats, the gRPC stream) never waits on inference.
import { parentPort, workerData } from "node:worker_threads";
import { Pipeline, PipelineCache, validateRenderRequest, type RenderRequest, type RenderResult } from "@atelier/diffusion";
import type { FromWorker, RenderJob, ToWorker } from "./render-protocol.ts";

interface WorkerOptions {
  models: Record<string, string>;
  providers: string[];
  intraOpThreads: number;
  /** Bytes of idle pipelines kept loaded; unset keeps every model loaded. */
  modelMemoryBytes?: number;
  /** Memory for one UNet call's activations: sets how many images share it; unset, one image a call. */
  batchMemoryBytes?: number;
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

function post(message: FromWorker, transfer: ArrayBuffer[] = []) {
  port.postMessage(message, transfer);
}

async function render(id: number, jobs: RenderJob[]) {
  const abort = new AbortController();
  running.set(id, abort);
  try {
    const requests = jobs.map((job): RenderRequest => ({
      prompt: job.prompt,
      negativePrompt: job.negativePrompt,
      seed: job.seed,
      width: job.width,
      height: job.height,
      steps: job.steps,
      guidance: job.guidance,
      sampler: job.sampler as RenderRequest["sampler"],
    }));
    const problems = requests.flatMap((request) => validateRenderRequest(request));
    if (problems.length > 0) {
      post({ type: "failed", id, error: problems.join("; "), retryable: false, cancelled: false });
      return;
    }
    const { model, width, height } = jobs[0]!;
    const cold = !pipelines.models.includes(model);
    const loadStarted = performance.now();
    const lease = await pipelines.acquire(model);
    const loadMs = cold ? performance.now() - loadStarted : 0;
    const results: RenderResult[] = [];
    const renderStarted = performance.now();
    let inferenceMs = 0;
    try {
      // As many images per UNet call as the memory budget allows; one at a time without a budget.
      const perCall = options.batchMemoryBytes ? Math.max(1, lease.pipeline.maxBatchFor(width, height, options.batchMemoryBytes)) : 1;
      for (let start = 0; start < requests.length; start += perCall) {
        const call = await lease.pipeline.renderBatch(requests.slice(start, start + perCall), { signal: abort.signal });
        inferenceMs += call[0]?.inferenceMs ?? 0; // shared by the images of one call
        results.push(...call);
      }
    } finally {
      lease.release();
    }
    const images = results.map((result) => ({ png: result.png.slice(), width: result.width, height: result.height, nsfw: result.nsfw }));
    post(
      { type: "rendered", id, images, loadMs, inferenceMs, totalMs: performance.now() - renderStarted },
      images.map((image) => image.png.buffer as ArrayBuffer),
    );
  } catch (error) {
    const err = error as Error;
    const cancelled = err.name === "AbortError";
    // A prompt over the token window fails the same way every time.
    const retryable = !cancelled && err.name !== "PromptTooLongError";
    post({ type: "failed", id, error: err.message, retryable, cancelled });
  } finally {
    running.delete(id);
  }
}

port.on("message", (message: ToWorker) => {
  if (message.type === "render") void render(message.id, message.jobs);
  else running.get(message.id)?.abort();
});

// Load the models up front, one at a time, so that the first shards do not
// pay for them; with a memory budget, the cache keeps those that fit.
void (async () => {
  for (const model of Object.keys(options.models)) {
    await pipelines.acquire(model).then((lease) => lease.release(), () => undefined);
  }
  post({ type: "ready", models: Object.keys(options.models) });
})();
