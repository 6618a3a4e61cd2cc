import type { Renderer, Rendered } from "@atelier/agent";
import { blankPng } from "./blank-png.ts";

/**
 * A renderer that takes `renderMs` per image and gives it up at once when its
 * lease is lost, the shard is cancelled or the renderer closes: agents that
 * hold shards and heartbeat, as busy GPUs do, without using the CPU. Every
 * image is a grey PNG of the item's size, so any two agents render an item alike.
 */
export class SlowRenderer implements Renderer {
  private readonly pending = new Set<() => void>();

  constructor(private readonly renderMs: number) {}

  async ready(): Promise<void> {}

  render(job: { width: number; height: number }, signal?: AbortSignal): Promise<Rendered> {
    return new Promise((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        this.pending.delete(stop);
        reject(new Error("render stopped: lease lost, shard cancelled or renderer closed"));
      };
      const timer = setTimeout(() => {
        this.pending.delete(stop);
        // The shard's signal outlives the render: a listener left on it for every image would pile up.
        signal?.removeEventListener("abort", stop);
        resolve({ png: blankPng(job.width, job.height), width: job.width, height: job.height, inferenceMs: this.renderMs, totalMs: this.renderMs });
      }, this.renderMs);
      this.pending.add(stop);
      signal?.addEventListener("abort", stop, { once: true });
    });
  }

  async close(): Promise<void> {
    for (const stop of [...this.pending]) stop();
  }
}
