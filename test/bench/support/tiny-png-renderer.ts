import type { Renderer, Rendered } from "@atelier/agent";

// A valid 1x1 RGB PNG (69 bytes).
const TINY_PNG = Uint8Array.from(Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGM4kWIEAANWAV/oF4RSAAAAAElFTkSuQmCC", "base64"));

/**
 * A renderer that does no GPU work: every job returns the same tiny PNG, so
 * a benchmark measures the farm around the renderer (leases, uploads, results).
 */
export class TinyPngRenderer implements Renderer {
  async ready(): Promise<void> {}

  async render(): Promise<Rendered> {
    return { png: TINY_PNG, width: 1, height: 1, inferenceMs: 0, totalMs: 0 };
  }

  async close(): Promise<void> {}
}
