// Benchmark: the diffusion pipeline at 512x512 on onnxruntime's CPU provider,
// for both generated test models (the demo's oracle UNet, which costs almost
// nothing, and the random-weight UNet built from real operators). Reports
// images/s, ms per denoising step, and the pipeline's own overhead: the
// share of render time spent outside onnxruntime session.run calls, with
// PNG encoding reported separately. Prints one JSON object.
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Pipeline, type PipelineStats, type RenderRequest } from "@atelier/diffusion";
import { writeTestModel } from "@atelier/diffusion/testing";
import { note, numericFlags, printResult, round } from "./support/bench-report.ts";

const GOAL_OVERHEAD_SHARE = 0.05;

const flags = numericFlags({ images: 4, steps: 20, size: 512, threads: 1 });

const request = (seed: number): RenderRequest => ({
  prompt: "a red circle on a blue background",
  negativePrompt: "",
  seed,
  width: flags.size,
  height: flags.size,
  steps: flags.steps,
  guidance: 7.5,
  sampler: "euler",
});

const delta = (after: PipelineStats, before: PipelineStats) => ({
  images: after.images - before.images,
  sessionRunMs: after.sessionRunMs - before.sessionRunMs,
  pngEncodeMs: after.pngEncodeMs - before.pngEncodeMs,
  renderMs: after.renderMs - before.renderMs,
});

function shares(d: ReturnType<typeof delta>) {
  const outside = d.renderMs - d.sessionRunMs;
  return {
    overheadShare: round(outside / d.renderMs, 4),
    pngEncodeShare: round(d.pngEncodeMs / d.renderMs, 4),
    overheadExcludingPngShare: round((outside - d.pngEncodeMs) / d.renderMs, 4),
  };
}

async function measure(modelDir: string) {
  const pipeline = await Pipeline.load(modelDir, { providers: ["cpu"], intraOpThreads: flags.threads });
  try {
    await pipeline.render(request(0)); // warm-up: first-run allocations and JIT
    const stepMs: number[] = [];
    const before = pipeline.stats;
    const startedAt = performance.now();
    let pngBytes = 0;
    for (let i = 1; i <= flags.images; i++) {
      let last = performance.now();
      const result = await pipeline.render(request(i), {
        onStep: (step) => {
          const now = performance.now();
          if (step > 1) stepMs.push(now - last); // step 1 also waits for the text encoder
          last = now;
        },
      });
      pngBytes += result.png.length;
    }
    const wallMs = performance.now() - startedAt;
    const single = delta(pipeline.stats, before);
    stepMs.sort((a, b) => a - b);

    const batchBefore = pipeline.stats;
    const batchStartedAt = performance.now();
    await pipeline.renderBatch(Array.from({ length: flags.images }, (_, i) => request(100 + i)));
    const batchWallMs = performance.now() - batchStartedAt;
    const batched = delta(pipeline.stats, batchBefore);
    return {
      imagesPerSecond: round((flags.images * 1000) / wallMs, 3),
      msPerImage: round(wallMs / flags.images, 1),
      msPerStep: round(stepMs[Math.floor(stepMs.length / 2)]!, 2),
      sessionRunMsPerImage: round(single.sessionRunMs / flags.images, 1),
      pngEncodeMsPerImage: round(single.pngEncodeMs / flags.images, 1),
      pngBytesPerImage: Math.round(pngBytes / flags.images),
      ...shares(single),
      meetsOverheadGoal: shares(single).overheadShare <= GOAL_OVERHEAD_SHARE,
      batched: { batchSize: flags.images, imagesPerSecond: round((flags.images * 1000) / batchWallMs, 3), ...shares(batched) },
    };
  } finally {
    await pipeline.close();
  }
}

const root = await mkdtemp(join(tmpdir(), "atelier-bench-pipeline-"));
try {
  const models = {
    oracle: await writeTestModel(root, "oracle", { unet: "oracle" }),
    randomUnet: await writeTestModel(root, "random-unet", { unet: "random" }),
  };
  const results: Record<string, unknown> = {};
  for (const [name, dir] of Object.entries(models)) {
    note(`measuring ${name}: ${flags.images} images of ${flags.size}x${flags.size}, ${flags.steps} steps`);
    results[name] = await measure(dir);
  }
  printResult({
    bench: "pipeline",
    provider: "cpu",
    size: `${flags.size}x${flags.size}`,
    steps: flags.steps,
    sampler: "euler",
    guidance: 7.5,
    images: flags.images,
    intraOpThreads: flags.threads,
    goalOverheadShare: GOAL_OVERHEAD_SHARE,
    cpu: `${cpus()[0]?.model ?? "unknown"} x${cpus().length}`,
    loadAverage1m: round(loadavg()[0]!, 2),
    node: process.version,
    ...results,
  });
} finally {
  await rm(root, { recursive: true, force: true });
}
