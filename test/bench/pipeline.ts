// Benchmark: the diffusion pipeline on onnxruntime's CPU provider with
// random-weight models of the two shapes studios render most (what
// `atelier models make-test` writes; @atelier/diffusion/testing):
//   sd15: SD 1.5's layout, random-weight UNet and VAE decoder, 512x512
//         (4x64x64 latents)
//   sdxl: SDXL's layout (two text encoders, text_embeds and time_ids, fp16
//         VAE), random-weight UNet, 1024x1024 (4x128x128 latents)
// The UNets are small (32/64 channels): the shapes, operators and the
// pipeline's work per step are real, the session.run time is a fraction of a
// real model's, so the overhead share here is an upper bound of a real one.
// Reports images/s, ms per denoising step, and the pipeline's own overhead:
// the wall time of each render call minus the time inside every onnxruntime
// session.run call it made, as a share of the wall time (PNG encoding, which
// is part of that overhead, also on its own). Prints one JSON object.
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Pipeline, type PipelineStats, type RenderRequest } from "@atelier/diffusion";
import { writeTestModel, type TestModelOptions } from "@atelier/diffusion/testing";
import { note, numericFlags, printResult, round } from "./support/bench-report.ts";

const GOAL_OVERHEAD_SHARE = 0.05;

const flags = numericFlags({ images: 3, steps: 20, threads: 1, sd15Size: 512, sdxlSize: 1024 });

const SHAPES: Record<string, { options: TestModelOptions; size: number }> = {
  sd15: { options: { unet: "random", vae: "random" }, size: flags.sd15Size },
  sdxl: { options: { architecture: "sdxl" }, size: flags.sdxlSize },
};

const request = (seed: number, size: number): RenderRequest => ({
  prompt: "a red circle on a blue background",
  negativePrompt: "",
  seed,
  width: size,
  height: size,
  steps: flags.steps,
  guidance: 7.5,
  sampler: "euler",
});

/** What a run of render calls cost: wall time measured here around the calls, the rest from the pipeline's counters. */
function overhead(wallMs: number, after: PipelineStats, before: PipelineStats) {
  const sessionRunMs = after.sessionRunMs - before.sessionRunMs;
  const pngEncodeMs = after.pngEncodeMs - before.pngEncodeMs;
  const images = after.images - before.images;
  const outside = wallMs - sessionRunMs;
  const unetMs = after.sessionRunMsByPart.unet - before.sessionRunMsByPart.unet;
  return {
    sessionRunsPerImage: round((after.sessionRuns - before.sessionRuns) / images, 1),
    sessionRunMsPerImage: round(sessionRunMs / images, 1),
    overheadMsPerImage: round(outside / images, 1),
    pngEncodeMsPerImage: round(pngEncodeMs / images, 1),
    overheadShare: round(outside / wallMs, 4),
    pngEncodeShare: round(pngEncodeMs / wallMs, 4),
    overheadExcludingPngShare: round((outside - pngEncodeMs) / wallMs, 4),
    // The UNet's session.run alone (not the text encoders' or the VAE's): what keeps an accelerator busy.
    unetMsPerImage: round(unetMs / images, 1),
    unetBusyShare: round(unetMs / wallMs, 4),
  };
}

async function measure(modelDir: string, size: number) {
  const pipeline = await Pipeline.load(modelDir, { providers: ["cpu"], intraOpThreads: flags.threads });
  try {
    await pipeline.render(request(0, size)); // warm-up: first-run allocations and JIT
    const stepMs: number[] = [];
    const before = pipeline.stats;
    let wallMs = 0;
    let pngBytes = 0;
    for (let i = 1; i <= flags.images; i++) {
      const startedAt = performance.now();
      let last = startedAt;
      const result = await pipeline.render(request(i, size), {
        onStep: (step) => {
          const now = performance.now();
          if (step > 1) stepMs.push(now - last); // step 1 also waits for the text encoder
          last = now;
        },
      });
      wallMs += performance.now() - startedAt;
      pngBytes += result.png.length;
    }
    const single = overhead(wallMs, pipeline.stats, before);
    stepMs.sort((a, b) => a - b);

    const batchBefore = pipeline.stats;
    const batchStartedAt = performance.now();
    await pipeline.renderBatch(Array.from({ length: flags.images }, (_, i) => request(100 + i, size)));
    const batchWallMs = performance.now() - batchStartedAt;
    const batched = overhead(batchWallMs, pipeline.stats, batchBefore);
    return {
      size: `${size}x${size}`,
      latents: `4x${size / 8}x${size / 8}`,
      imagesPerSecond: round((flags.images * 1000) / wallMs, 3),
      msPerImage: round(wallMs / flags.images, 1),
      msPerStep: round(stepMs[Math.floor(stepMs.length / 2)]!, 2),
      pngBytesPerImage: Math.round(pngBytes / flags.images),
      ...single,
      meetsOverheadGoal: single.overheadShare <= GOAL_OVERHEAD_SHARE,
      batched: { batchSize: flags.images, imagesPerSecond: round((flags.images * 1000) / batchWallMs, 3), ...batched, meetsOverheadGoal: batched.overheadShare <= GOAL_OVERHEAD_SHARE },
    };
  } finally {
    await pipeline.close();
  }
}

const root = await mkdtemp(join(tmpdir(), "atelier-bench-pipeline-"));
try {
  const results: Record<string, unknown> = {};
  const loadBefore = round(loadavg()[0]!, 2);
  for (const [name, shape] of Object.entries(SHAPES)) {
    const dir = await writeTestModel(root, name, shape.options);
    note(`measuring ${name}: ${flags.images} images of ${shape.size}x${shape.size}, ${flags.steps} steps, then a batch of ${flags.images}`);
    results[name] = await measure(dir, shape.size);
  }
  printResult({
    bench: "pipeline",
    provider: "cpu",
    steps: flags.steps,
    sampler: "euler",
    guidance: 7.5,
    images: flags.images,
    intraOpThreads: flags.threads,
    goalOverheadShare: GOAL_OVERHEAD_SHARE,
    cpu: `${cpus()[0]?.model ?? "unknown"} x${cpus().length}`,
    loadAverage1m: { before: loadBefore, after: round(loadavg()[0]!, 2) },
    node: process.version,
    ...results,
  });
} finally {
  await rm(root, { recursive: true, force: true });
}
