import type { RenderJob } from "./render-protocol.ts";
import type { Rendered, Renderer } from "./worker-renderer.ts";

/**
 * Renders a run of a shard's images: together when the renderer batches,
 * and one by one when that fails, so that one bad image (a prompt over the
 * token window) fails alone. Each image's result or error, in order.
 */
export async function renderChunk(renderer: Renderer, jobs: RenderJob[], signal: AbortSignal): Promise<(Rendered | Error)[]> {
  if (jobs.length > 1 && renderer.renderBatch) {
    try {
      return await renderer.renderBatch(jobs, signal);
    } catch (error) {
      if (signal.aborted) return jobs.map(() => error as Error);
    }
  }
  const outcomes: (Rendered | Error)[] = [];
  for (const job of jobs) outcomes.push(await renderer.render(job, signal).catch((error: unknown) => error as Error));
  return outcomes;
}
