import type { Renderer, Rendered } from "@atelier/agent";
import { encodePng } from "@atelier/diffusion";

/**
 * A renderer that does no GPU work: every job returns the same 1x1 PNG, so a
 * benchmark measures the farm around the renderer (leases, uploads, results).
 */
export class TinyPngRenderer implements Renderer {
  private static readonly png = encodePng(Uint8Array.of(200, 100, 50), 1, 1);

  async ready(): Promise<void> {}

  async render(): Promise<Rendered> {
    return { png: TinyPngRenderer.png, width: 1, height: 1, inferenceMs: 0, totalMs: 0 };
  }

  async close(): Promise<void> {}
}
