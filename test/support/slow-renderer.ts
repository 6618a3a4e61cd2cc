import type { Renderer, Rendered } from "@atelier/agent";

/** A valid 1x1 RGB PNG (69 bytes). */
export const TINY_PNG = Uint8Array.from(Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGM4kWIEAANWAV/oF4RSAAAAAElFTkSuQmCC", "base64"));

/**
 * A renderer that takes `renderMs` per image and gives it up at once when its
 * lease is lost, the shard is cancelled or the renderer closes: agents that
 * hold shards and heartbeat, as busy GPUs do, without using the CPU. Every
 * image is `png` (by default a 1x1 PNG), so any two agents render an item alike.
 */
export class SlowRenderer implements Renderer {
  private readonly pending = new Set<() => void>();

  constructor(
    private readonly renderMs: number,
    private readonly png = TINY_PNG,
  ) {}

  async ready(): Promise<void> {}

  render(_job: unknown, signal?: AbortSignal): Promise<Rendered> {
    return new Promise((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        this.pending.delete(stop);
        reject(new Error("render stopped: lease lost, shard cancelled or renderer closed"));
      };
      const timer = setTimeout(() => {
        this.pending.delete(stop);
        resolve({ png: this.png, width: 1, height: 1, inferenceMs: this.renderMs, totalMs: this.renderMs });
      }, this.renderMs);
      this.pending.add(stop);
      signal?.addEventListener("abort", stop, { once: true });
    });
  }

  async close(): Promise<void> {
    for (const stop of [...this.pending]) stop();
  }
}
