// Benchmark: how busy an agent keeps its UNet (issue 11, "keep the GPU fed").
// One shard of --images images (default 16) of the random-weight SD 1.5-shape
// model at 512², 20 euler steps with guidance, goes through the agent's own
// shard path: renderShard on a WorkerRenderer (onnxruntime in two worker
// threads: the render worker's text encoder and UNet, the finish worker's VAE
// decoder and PNG encoding), sha256 and MD5, and a PUT of each image to its
// presigned URL on s3rver (a child process, objects in /dev/shm). The figure
// is the UNet-busy share: the time inside the UNet's session.run, as the
// render worker counts it, over the shard's wall time, from the first item
// asked for to the last upload answered. Each worker's sessions get
// --threads intra-op threads (default 1: two threads on the build machine's
// two cores). On a CPU the UNet and the finish worker share the cores, so a
// decode that slows the UNet down also lengthens its session.run: read the
// share beside msPerImage and unetMsPerImage (see test/bench/README.md).
// Then the same model renders two images in this process, to split one
// render call's time between the text encoder, the VAE decoder, PNG encoding
// and the pipeline's own work. Ends with its correctness check: every item
// reported once, and every stored object's sha256 is the one reported.
// Prints one JSON object.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { renderShard, systemClock, WorkerRenderer } from "@atelier/agent";
import { Pipeline } from "@atelier/diffusion";
import { writeTestModel } from "@atelier/diffusion/testing";
import type { Assign__Output, ItemResult } from "@atelier/protocol";
import { startS3Child } from "./support/s3-child.ts";
import { benchLogger, note, numericFlags, printResult, round } from "./support/bench-report.ts";

const GOAL_UNET_SHARE = 0.95;
const flags = numericFlags({ images: 16, steps: 20, size: 512, threads: 1 });
const MODEL = "sd15";

const root = await mkdtemp(join(tmpdir(), "atelier-bench-unet-busy-"));
const s3 = await startS3Child();
try {
  const modelDir = await writeTestModel(root, MODEL, { unet: "random", vae: "random" });
  const store = s3.storeFor("unet-busy");
  await store.ensureBucket();
  const settings = {
    model: MODEL, width: flags.size, height: flags.size, steps: flags.steps, guidance: 7.5, sampler: "euler", clipSkip: 0, seedSource: "",
    refinerModel: "", refinerStart: 0, hires: null, upscale: null, architecture: "", hasGuidance: true, clip: null,
  };
  const items = await Promise.all(Array.from({ length: flags.images }, async (_, index) => {
    const key = `shard-1/${String(index).padStart(4, "0")}.png`;
    return {
      itemId: `item-${index}`, index, prompt: `a red circle on a blue background, number ${index}`, negativePrompt: "blurry", seed: 1000 + index, key,
      uploadUrl: await store.presignPut(key, { contentType: "image/png", expiresInMs: 3_600_000 }), keywords: [],
    };
  }));
  const assign: Assign__Output = {
    shardId: "shard-1", epoch: 1, leaseExpiresAtMs: Date.now() + 3_600_000, leaseTtlMs: 3_600_000, settings, items,
    batchId: "batch-1", batchCreatedAtMs: Date.now(), watermark: false,
  };

  const renderer = new WorkerRenderer({ models: { [MODEL]: modelDir }, providers: ["cpu"], intraOpThreads: flags.threads });
  const loadBefore = round(loadavg()[0]!, 2);
  let unetMs = 0;
  let wallMs = 0;
  const results: ItemResult[] = [];
  try {
    await renderer.ready();
    // Warm-up: onnxruntime's first-run allocations at this size.
    await renderer.render({ model: MODEL, prompt: "warm-up", negativePrompt: "", seed: 1, width: flags.size, height: flags.size, steps: 2, guidance: 7.5, sampler: "euler" });
    note(`rendering one shard of ${flags.images} images of ${flags.size}x${flags.size}, ${flags.steps} steps, uploaded to s3rver`);
    const startedAt = performance.now();
    await renderShard(assign, {
      renderer, signal: new AbortController().signal, log: benchLogger("unet-busy"), clock: systemClock, uploadAttempts: 3,
      observer: { rendered: (image) => (unetMs += image.unetMs ?? 0), failed: () => undefined },
      report: (result) => results.push(result),
    });
    wallMs = performance.now() - startedAt;
  } finally {
    await renderer.close();
  }
  const loadAfter = round(loadavg()[0]!, 2);

  // Correctness: each item reported once, without error, and the store holds the bytes reported.
  const failed = results.filter((r) => r.error);
  if (failed.length > 0) throw new Error(`items failed: ${failed.map((r) => `${r.itemId}: ${r.error}`).join("; ")}`);
  if (new Set(results.map((r) => r.itemId)).size !== flags.images || results.length !== flags.images) {
    throw new Error(`expected ${flags.images} distinct reports, got ${results.length}`);
  }
  for (const result of results) {
    const stored = await store.get(result.key!);
    if (createHash("sha256").update(stored).digest("hex") !== result.sha256) throw new Error(`${result.key}: stored bytes differ from the reported sha256`);
  }

  // Where the rest of the time goes: the same renders in this process, split by model.
  note("splitting one image's time between the models, in-process");
  const pipeline = await Pipeline.load(modelDir, { providers: ["cpu"], intraOpThreads: flags.threads });
  let split: Record<string, number>;
  try {
    const request = (seed: number) => ({ prompt: `a red circle on a blue background, number ${seed}`, negativePrompt: "blurry", seed, width: flags.size, height: flags.size, steps: flags.steps, guidance: 7.5, sampler: "euler" as const });
    await pipeline.render(request(1));
    const before = pipeline.stats;
    const startedAt = performance.now();
    for (const seed of [2, 3]) await pipeline.render(request(seed));
    const renderWallMs = (performance.now() - startedAt) / 2;
    const after = pipeline.stats;
    const part = (name: keyof typeof after.sessionRunMsByPart) => round((after.sessionRunMsByPart[name] - before.sessionRunMsByPart[name]) / 2, 1);
    const unet = part("unet");
    const textEncoder = part("textEncoder");
    const vaeDecoder = part("vaeDecoder");
    const pngEncode = round((after.pngEncodeMs - before.pngEncodeMs) / 2, 1);
    split = {
      wallMs: round(renderWallMs, 1), unetMs: unet, textEncoderMs: textEncoder, vaeDecoderMs: vaeDecoder, pngEncodeMs: pngEncode,
      otherMs: round(renderWallMs - unet - textEncoder - vaeDecoder - pngEncode, 1),
      unetShareOfRenderCall: round(unet / renderWallMs, 4),
    };
  } finally {
    await pipeline.close();
  }

  const share = unetMs / wallMs;
  printResult({
    bench: "unet-busy",
    model: `${MODEL} (random-weight UNet and VAE decoder)`,
    size: `${flags.size}x${flags.size}`,
    steps: flags.steps,
    sampler: "euler",
    guidance: 7.5,
    images: flags.images,
    provider: "cpu",
    intraOpThreads: flags.threads,
    cpu: `${cpus()[0]?.model ?? "unknown"} x${cpus().length}`,
    loadAverage1m: { before: loadBefore, after: loadAfter },
    node: process.version,
    shard: {
      wallMs: round(wallMs),
      unetMs: round(unetMs),
      msPerImage: round(wallMs / flags.images, 1),
      unetMsPerImage: round(unetMs / flags.images, 1),
      outsideUnetMsPerImage: round((wallMs - unetMs) / flags.images, 1),
      unetBusyShare: round(share, 4),
    },
    goalUnetBusyShare: GOAL_UNET_SHARE,
    meetsGoal: share >= GOAL_UNET_SHARE,
    perImageInProcess: split,
    verified: { reports: results.length, sha256Matches: results.length },
  });
} finally {
  await s3.close();
  await rm(root, { recursive: true, force: true });
}
