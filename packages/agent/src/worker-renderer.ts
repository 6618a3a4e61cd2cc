import { Worker } from "node:worker_threads";
import type { FromWorker, RenderJob } from "./render-protocol.ts";

export interface Rendered {
  png: Uint8Array;
  width: number;
  height: number;
  inferenceMs: number;
  totalMs: number;
  /** Time spent loading the model before this render; 0 or absent when it was loaded. */
  loadMs?: number;
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
  render(job: Omit<RenderJob, "id">, signal?: AbortSignal): Promise<Rendered>;
  close(): Promise<void>;
}

/**
 * Renders in a worker thread running @atelier/diffusion.
 */
export class WorkerRenderer implements Renderer {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: Rendered) => void; reject: (e: Error) => void }>();
  private readonly started: Promise<void>;
  private nextId = 1;
  private closing: Promise<void> | undefined;

  /** `modelMemoryBytes`: bytes of idle pipelines kept loaded (least recently used go first); unset keeps every model loaded. */
  constructor(options: { models: Record<string, string>; providers: string[]; intraOpThreads: number; modelMemoryBytes?: number }) {
    this.worker = new Worker(new URL("./render-worker-entry.mjs", import.meta.url), { workerData: options });
    this.started = new Promise((resolve, reject) => {
      this.worker.once("error", reject);
      const onReady = (message: FromWorker) => {
        if (message.type === "ready") {
          this.worker.off("message", onReady);
          resolve();
        }
      };
      this.worker.on("message", onReady);
    });
    this.worker.on("message", (message: FromWorker) => this.settle(message));
    this.worker.on("error", (error) => {
      for (const { reject } of this.pending.values()) reject(new RenderFailed(`render worker crashed: ${error.message}`, true, false));
      this.pending.clear();
    });
  }

  ready(): Promise<void> {
    return this.started;
  }

  render(job: Omit<RenderJob, "id">, signal?: AbortSignal): Promise<Rendered> {
    const id = this.nextId++;
    return new Promise<Rendered>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      signal?.addEventListener("abort", () => this.worker.postMessage({ type: "cancel", id }), { once: true });
      this.worker.postMessage({ type: "render", job: { ...job, id } });
    });
  }

  close(): Promise<void> {
    this.closing ??= this.worker.terminate().then(() => undefined);
    return this.closing;
  }

  private settle(message: FromWorker): void {
    if (message.type === "ready") return;
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.type === "rendered") waiter.resolve(message);
    else waiter.reject(new RenderFailed(message.error, message.retryable, message.cancelled));
  }
}
