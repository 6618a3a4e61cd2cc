import type { Renderer, Rendered } from "@atelier/agent";
import { blankPng } from "../../support/blank-png.ts";

/**
 * A renderer that does no GPU work: every job returns the same grey PNG of
 * its size (176 bytes at 64x64), so a benchmark measures the farm around
 * the renderer (leases, uploads, results).
 */
export class TinyPngRenderer implements Renderer {
  async ready(): Promise<void> {}

  async render(job: { width: number; height: number }): Promise<Rendered> {
    return { png: blankPng(job.width, job.height), width: job.width, height: job.height, inferenceMs: 0, totalMs: 0 };
  }

  async close(): Promise<void> {}
}
