// A render worker thread: owns onnxruntime sessions and renders one job at a
// time, so that the agent's main thread (heartbeats, the gRPC stream) never
// waits on inference.
import { parentPort, workerData } from "node:worker_threads";
import { Pipeline, PipelineCache, validateRenderRequest, type RenderRequest } from "@atelier/diffusion";
import type { FromWorker, RenderJob, ToWorker } from "./render-protocol.ts";

interface WorkerOptions {
  models: Record<string, string>;
  providers: string[];
  intraOpThreads: number;
  /** Bytes of idle pipelines kept loaded; unset keeps every model loaded. */
  modelMemoryBytes?: number;
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

async function render(job: RenderJob) {
  const abort = new AbortController();
  running.set(job.id, abort);
  try {
    const request: RenderRequest = {
      prompt: job.prompt,
      negativePrompt: job.negativePrompt,
      seed: job.seed,
      width: job.width,
      height: job.height,
      steps: job.steps,
      guidance: job.guidance,
      sampler: job.sampler as RenderRequest["sampler"],
    };
    const problems = validateRenderRequest(request);
    if (problems.length > 0) {
      post({ type: "failed", id: job.id, error: problems.join("; "), retryable: false, cancelled: false });
      return;
    }
    const cold = !pipelines.models.includes(job.model);
    const loadStarted = performance.now();
    const lease = await pipelines.acquire(job.model);
    const loadMs = cold ? performance.now() - loadStarted : 0;
    const result = await lease.pipeline.render(request, { signal: abort.signal }).finally(() => lease.release());
    const png = result.png.slice();
    post(
      { type: "rendered", id: job.id, png, width: result.width, height: result.height, inferenceMs: result.inferenceMs, totalMs: result.totalMs, loadMs, nsfw: result.nsfw },
      [png.buffer as ArrayBuffer],
    );
  } catch (error) {
    const err = error as Error;
    const cancelled = err.name === "AbortError";
    // A prompt over the token window fails the same way every time.
    const retryable = !cancelled && err.name !== "PromptTooLongError";
    post({ type: "failed", id: job.id, error: err.message, retryable, cancelled });
  } finally {
    running.delete(job.id);
  }
}

port.on("message", (message: ToWorker) => {
  if (message.type === "render") void render(message.job);
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
