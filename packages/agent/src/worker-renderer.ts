import { MessageChannel, Worker } from "node:worker_threads";
import type { Attribution } from "@atelier/diffusion";
import type { ClipResult, FromWorker, RenderJob } from "./render-protocol.ts";

// Images an agent hands a batching renderer at once: enough to fill a UNet
// call on a large GPU, few enough that results are reported as they come.
const BATCH_ITEMS = 8;

export interface Rendered {
  png: Uint8Array;
  width: number;
  height: number;
  inferenceMs: number;
  totalMs: number;
  /** Time inside the UNet's session.run for this image (its share of the UNet calls it was part of); absent when the renderer cannot tell. */
  unetMs?: number;
  /** Time spent loading the model before this render; 0 or absent when it was loaded. */
  loadMs?: number;
  /** Its CLIP scores, when the job asked for them. */
  clip?: ClipResult;
  /** The model's safety checker's verdict; absent when the model has none. */
  safetyVerdict?: "passed" | "flagged";
  /** The keywords' measured contributions, when the job named any. */
  attribution?: Attribution;
}

export class RenderFailed extends Error {
  override name = "RenderFailed";
  constructor(message: string, readonly retryable: boolean, readonly cancelled: boolean) {
    super(message);
  }
}

/** Anything that turns a job into a PNG; the worker-thread renderer is the real one. */
export interface Renderer {
  ready(): Promise<void>;
  render(job: RenderJob, signal?: AbortSignal): Promise<Rendered>;
  /**
   * Several images of the same settings at once, sharing UNet calls where
   * memory allows, each byte for byte what `render` would give; results in
   * order. Absent, the agent renders one image at a time.
   */
  renderBatch?(jobs: RenderJob[], signal?: AbortSignal): Promise<Rendered[]>;
  /** How many images to hand `renderBatch` at once (1: one at a time). */
  readonly batchItems?: number;
  close(): Promise<void>;
}

/**
 * Renders in two worker threads running @atelier/diffusion: the render
 * worker denoises (text encoders, UNet) and hands each request's latents to
 * the finish worker, which decodes, checks and encodes them while the next
 * request denoises (see render-worker.ts, finish-worker.ts).
 */
export class WorkerRenderer implements Renderer {
  private readonly worker: Worker;
  private readonly finisher: Worker;
  private readonly pending = new Map<number, { resolve: (r: Rendered[]) => void; reject: (e: Error) => void }>();
  private readonly started: Promise<void>;
  private nextId = 1;
  private closing: Promise<void> | undefined;
  // Set when a worker thread dies: neither thread can answer a request alone, so later ones fail at once.
  private crashed: RenderFailed | undefined;

  readonly batchItems: number;

  /**
   * `modelMemoryBytes`: bytes of idle pipelines kept loaded (least recently
   * used go first); unset keeps every model loaded. `batchMemoryBytes`:
   * memory for one UNet call's activations, which sets how many images share
   * a call; unset, one image a call.
   */
  constructor(options: {
    models: Record<string, string>; upscalers?: Record<string, string>; providers: string[]; intraOpThreads: number; modelMemoryBytes?: number; batchMemoryBytes?: number;
    /** a CLIP model folder (ClipScorer's layout), for jobs that ask for scores */
    clipModel?: string;
  }) {
    this.batchItems = options.batchMemoryBytes ? BATCH_ITEMS : 1;
    const { port1, port2 } = new MessageChannel();
    const { models, upscalers, providers, intraOpThreads, clipModel } = options;
    this.worker = new Worker(new URL("./render-worker-entry.mjs", import.meta.url), { workerData: { ...options, finishPort: port1 }, transferList: [port1] });
    this.finisher = new Worker(new URL("./finish-worker-entry.mjs", import.meta.url), {
      workerData: { models, upscalers, providers, intraOpThreads, clipModel, renderPort: port2 },
      transferList: [port2],
    });
    this.started = Promise.all([this.worker, this.finisher].map((worker) => new Promise<void>((resolve, reject) => {
      worker.once("error", reject);
      const onReady = (message: FromWorker) => {
        if (message.type === "ready") {
          worker.off("message", onReady);
          resolve();
        }
      };
      worker.on("message", onReady);
    }))).then(() => undefined);
    for (const [worker, name] of [[this.worker, "render"], [this.finisher, "finish"]] as const) {
      // A request's answer comes from the finish worker, or from the render worker when it fails there or finishes it itself.
      worker.on("message", (message: FromWorker) => this.settle(message));
      worker.on("error", (error) => {
        this.crashed ??= new RenderFailed(`${name} worker crashed: ${error.message}`, true, false);
        for (const { reject } of this.pending.values()) reject(this.crashed);
        this.pending.clear();
      });
    }
  }

  ready(): Promise<void> {
    return this.started;
  }

  async render(job: RenderJob, signal?: AbortSignal): Promise<Rendered> {
    return (await this.renderBatch([job], signal))[0]!;
  }

  renderBatch(jobs: RenderJob[], signal?: AbortSignal): Promise<Rendered[]> {
    if (this.crashed) return Promise.reject(this.crashed);
    const id = this.nextId++;
    return new Promise<Rendered[]>((resolve, reject) => {
      // One signal (the shard's lease) serves every request of a shard: each request's listener goes when it settles.
      const cancel = () => this.worker.postMessage({ type: "cancel", id });
      const settled = () => signal?.removeEventListener("abort", cancel);
      this.pending.set(id, { resolve: (images) => (settled(), resolve(images)), reject: (error) => (settled(), reject(error)) });
      signal?.addEventListener("abort", cancel, { once: true });
      this.worker.postMessage({ type: "render", id, jobs });
    });
  }

  close(): Promise<void> {
    this.closing ??= Promise.all([this.worker.terminate(), this.finisher.terminate()]).then(() => undefined);
    return this.closing;
  }

  private settle(message: FromWorker): void {
    if (message.type === "ready") return;
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.type === "failed") {
      waiter.reject(new RenderFailed(message.error, message.retryable, message.cancelled));
      return;
    }
    // The request's times, shared out; its model load belongs to the first image.
    const n = message.images.length;
    waiter.resolve(message.images.map(({ png, width, height, clip, safetyVerdict, attribution }, i) => ({
      png, width, height, inferenceMs: message.inferenceMs / n, totalMs: message.totalMs / n, unetMs: message.unetMs / n, loadMs: i === 0 ? message.loadMs : 0, ...(clip ? { clip } : {}),
      ...(safetyVerdict ? { safetyVerdict } : {}),
      ...(attribution ? { attribution } : {}),
    })));
  }
}
