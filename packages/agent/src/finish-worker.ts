// The finish worker thread: takes the render worker's denoised latents (see
// render-worker.ts) and decodes them with each model's VAE decoder, runs the
// safety checker, encodes the PNGs, upscales and scores them when asked, and
// sends them to the agent as the request's result. It runs while the render
// worker's UNet denoises the next request, on the host's cores while the
// UNet runs on the GPU; on a CPU-only agent the two threads share the cores.
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { AbortError, ImageFinisher, type RenderResult } from "@atelier/diffusion";
import type { FromFinisher, FromWorker, ToFinisher } from "./render-protocol.ts";
import { failureMessage, NotInstalledError, Postprocess, type PostprocessOptions } from "./render-postprocess.ts";

interface FinishWorkerOptions extends PostprocessOptions {
  models: Record<string, string>;
  /** The render worker's end of a channel between the two. */
  renderPort: MessagePort;
}

// VAE decoders kept loaded, most recently used first: an agent whose memory
// budget swaps its pipelines does not keep every model's decoder either.
const MAX_FINISHERS = 2;

const options = workerData as FinishWorkerOptions;
const port = parentPort!;
const renderPort = options.renderPort;
const postprocess = new Postprocess(options);
const finishers = new Map<string, Promise<ImageFinisher>>();
const running = new Map<number, AbortController>();

/** The model's finisher and the time its load took (0 when loaded). */
async function finisherFor(model: string): Promise<{ finisher: ImageFinisher; loadMs: number }> {
  const dir = options.models[model];
  if (!dir) throw new NotInstalledError(`model ${model} is not installed on this agent`);
  let loading = finishers.get(model);
  const startedAt = performance.now();
  const cold = !loading;
  if (!loading) {
    loading = ImageFinisher.load(dir, { providers: options.providers, intraOpThreads: options.intraOpThreads });
    // A failed load is tried again by the next request (another copy of the folder may be whole).
    loading.catch(() => finishers.delete(model));
  }
  finishers.delete(model);
  finishers.set(model, loading);
  for (const [name, evicted] of [...finishers].slice(0, Math.max(0, finishers.size - MAX_FINISHERS))) {
    finishers.delete(name);
    void evicted.then((finisher) => finisher.close(), () => undefined);
  }
  const finisher = await loading;
  return { finisher, loadMs: cold ? performance.now() - startedAt : 0 };
}

async function finish(message: Extract<ToFinisher, { type: "finish" }>, abort: AbortController): Promise<void> {
  const { id } = message;
  try {
    if (abort.signal.aborted) throw new AbortError("render cancelled before it was decoded");
    const { finisher, loadMs } = await finisherFor(message.model);
    const results: RenderResult[] = [];
    let inferenceMs = 0;
    for (const batch of message.batches) {
      // The farm quarantines flagged images for a moderator to judge, so it keeps their pixels.
      const call = await finisher.finish(batch, { signal: abort.signal, flagged: "keep" });
      inferenceMs += call[0]?.inferenceMs ?? 0; // shared by the images of one UNet call
      results.push(...call);
    }
    const images = await postprocess.images(results, message.jobs);
    const reply: FromWorker = {
      type: "rendered", id, images, loadMs: message.loadMs + loadMs, inferenceMs, unetMs: message.unetMs,
      totalMs: performance.timeOrigin + performance.now() - message.startedAtMs,
    };
    port.postMessage(reply, images.map((image) => image.png.buffer as ArrayBuffer));
  } catch (error) {
    port.postMessage(failureMessage(id, error) satisfies FromWorker);
  } finally {
    running.delete(id);
    renderPort.postMessage({ type: "finished", id } satisfies FromFinisher);
  }
}

// One request at a time, in the order the render worker denoised them; the
// render worker bounds how many wait here.
let queue: Promise<void> = Promise.resolve();

renderPort.on("message", (message: ToFinisher) => {
  if (message.type === "finish") {
    const abort = new AbortController();
    running.set(message.id, abort);
    queue = queue.then(() => finish(message, abort));
  } else running.get(message.id)?.abort();
});

// The first models' decoders up front, so that the first images do not pay for them.
void (async () => {
  for (const model of Object.keys(options.models).slice(0, MAX_FINISHERS)) await finisherFor(model).catch(() => undefined);
  port.postMessage({ type: "ready", models: Object.keys(options.models) } satisfies FromWorker);
})();
