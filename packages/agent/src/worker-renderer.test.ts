import { getEventListeners } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDemoModel, decodePng, Pipeline } from "@atelier/diffusion";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderChunk } from "./render-chunk.ts";
import { RenderFailed, WorkerRenderer, type Rendered } from "./worker-renderer.ts";

describe("WorkerRenderer", () => {
  const dir = mkdtempSync(join(tmpdir(), "atelier-worker-"));
  let renderer: WorkerRenderer;
  beforeAll(async () => {
    const model = await ensureDemoModel(dir);
    renderer = new WorkerRenderer({ models: { "atelier-demo": model }, providers: ["cpu"], intraOpThreads: 1 });
    await renderer.ready();
  });
  afterAll(async () => {
    await renderer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const job = { model: "atelier-demo", prompt: "a green square on a black background", negativePrompt: "", seed: 3, width: 256, height: 256, steps: 10, guidance: 7.5, sampler: "euler" };

  it("renders in its worker thread, its models loaded before the first job", async () => {
    const result = await renderer.render(job);
    const png = decodePng(result.png);
    expect([png.width, png.height]).toEqual([256, 256]);
    expect(png.text.parameters).toContain("Seed: 3");
    expect(result.loadMs).toBe(0);
  });

  it("leaves no listener on the signal it was given once each render is done", async () => {
    // A shard's lease signal goes with each of its requests: one left behind per request piled up on it.
    const lease = new AbortController();
    for (let k = 0; k < 3; k++) await renderer.render({ ...job, width: 64, height: 64, steps: 2, seed: k }, lease.signal);
    expect(getEventListeners(lease.signal, "abort")).toHaveLength(0);
  });

  it("gives the bytes the pipeline renders in-process, whether the finish worker decodes the image or the render worker does (hires fix)", async () => {
    const pipeline = await Pipeline.load(join(dir, "atelier-demo"));
    try {
      const { model: _, ...request } = job;
      const plain = await renderer.render(job);
      expect(Buffer.from(plain.png).equals(Buffer.from((await pipeline.render({ ...request, sampler: "euler" })).png))).toBe(true);
      // In the key order the worker builds it in, which the provenance JSON keeps.
      const hires = { scale: 1.5, denoise: 0.5, upscaler: "bicubic", steps: 4 };
      const fixed = await renderer.render({ ...job, hires });
      expect([fixed.width, fixed.height]).toEqual([384, 384]);
      expect(Buffer.from(fixed.png).equals(Buffer.from((await pipeline.render({ ...request, sampler: "euler", hires })).png))).toBe(true);
    } finally {
      await pipeline.close();
    }
  });

  it("past its memory budget, unloads idle models and reports the load when one is needed again", async () => {
    const model = join(dir, "atelier-demo");
    const tight = new WorkerRenderer({ models: { a: model, b: model }, providers: ["cpu"], intraOpThreads: 1, modelMemoryBytes: 1 });
    try {
      await tight.ready();
      const loads = [];
      for (const name of ["a", "a", "b"]) loads.push((await tight.render({ ...job, model: name })).loadMs);
      // Nothing idle fits in one byte: every render loads its model, and says how long that took.
      expect(loads.every((ms) => ms! > 0)).toBe(true);
      // The same image whether its model was warm or not.
      expect(Buffer.from((await tight.render({ ...job, model: "a" })).png).equals(Buffer.from((await renderer.render(job)).png))).toBe(true);
    } finally {
      await tight.close();
    }
  });

  it("with a memory budget, renders several images per call, each byte for byte its single render; one bad image fails alone", async () => {
    const batching = new WorkerRenderer({ models: { "atelier-demo": join(dir, "atelier-demo") }, providers: ["cpu"], intraOpThreads: 1, batchMemoryBytes: 2 ** 32 });
    try {
      await batching.ready();
      expect(batching.batchItems).toBeGreaterThan(1);
      const jobs = [3, 4, 5].map((seed) => ({ ...job, seed, prompt: `a red circle number ${seed}` }));
      const together = await batching.renderBatch(jobs);
      for (const [k, single] of (await Promise.all(jobs.map((one) => renderer.render(one)))).entries()) {
        expect(Buffer.from(together[k]!.png).equals(Buffer.from(single.png))).toBe(true);
      }
      // CLIP skip needs hidden_states outputs, which the demo's text encoder lacks.
      const unservable = { ...job, clipSkip: 2 };
      const outcomes = await renderChunk(batching, [jobs[0]!, unservable, jobs[2]!], new AbortController().signal);
      expect(outcomes.map((outcome) => (outcome instanceof Error ? outcome.name : "rendered"))).toEqual(["rendered", "RenderFailed", "rendered"]);
      expect(Buffer.from((outcomes[2] as Rendered).png).equals(Buffer.from(together[2]!.png))).toBe(true);
    } finally {
      await batching.close();
    }
  });

  it("stops a long render within a step of being cancelled", async () => {
    const steps = 150;
    const started = performance.now();
    await renderer.render({ ...job, width: 512, height: 512, steps });
    const fullMs = performance.now() - started;
    const abort = new AbortController();
    const cancelled = renderer.render({ ...job, width: 512, height: 512, steps }, abort.signal);
    setTimeout(() => abort.abort(), fullMs / 4);
    const at = performance.now();
    const error = await cancelled.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderFailed);
    expect((error as RenderFailed).cancelled).toBe(true);
    // Stopped at about a quarter of the way, not at the end: a step is fullMs / steps.
    expect(performance.now() - at).toBeLessThan(fullMs * 0.6);
  });

  it("reports an unknown model as a failure that a retry elsewhere may fix", async () => {
    const error = await renderer.render({ ...job, model: "missing" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "RenderFailed", retryable: true });
    expect((error as Error).message).toMatch(/model missing is not installed/);
  });

  it("fails for good what the model cannot serve", async () => {
    const error = await renderer.render({ ...job, clipSkip: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "RenderFailed", retryable: false });
    expect((error as Error).message).toMatch(/hidden_states/);
  });
});
