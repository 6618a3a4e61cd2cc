import type { Renderer, Rendered } from "@atelier/agent";
import { TINY_PNG } from "../../support/slow-renderer.ts";

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
