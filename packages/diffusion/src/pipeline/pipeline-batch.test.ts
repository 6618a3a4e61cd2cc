import * as ort from "onnxruntime-node";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GaussianStream } from "../noise/gaussian-noise.ts";
import type { RenderRequest } from "../render-request.ts";
import { RED_CIRCLE, testModelDirs } from "../testing/demo-fixture.ts";
import { unetRowBytes, vaeDecodeBytes } from "./memory-estimate.ts";
import { Pipeline } from "./pipeline.ts";
import { UnetModel } from "./unet-model.ts";

let remove: () => Promise<void>;
let random: Pipeline;
let oracle: Pipeline;
let randomDir: string;

beforeAll(async () => {
  const models = await testModelDirs({ random: { unet: "random" }, oracle: {} });
  remove = models.remove;
  randomDir = models.dirs.random;
  random = await Pipeline.load(models.dirs.random);
  oracle = await Pipeline.load(models.dirs.oracle);
});
afterAll(async () => {
  await Promise.all([random?.close(), oracle?.close()]);
  await remove?.();
});

const bytesOf = (png: Uint8Array) => Buffer.from(png).toString("base64");

async function expectBatchedEqualsSingle(pipeline: Pipeline, requests: RenderRequest[]): Promise<void> {
  const before = pipeline.stats.sessionRuns;
  const batched = await pipeline.renderBatch(requests);
  const batchRuns = pipeline.stats.sessionRuns - before;
  for (const [i, request] of requests.entries()) {
    const alone = await pipeline.render(request);
    expect(bytesOf(batched[i]!.png), `request ${i}`).toBe(bytesOf(alone.png));
    expect(batched[i]!.nsfw).toBe(false);
  }
  // One UNet call per step for the whole batch: text encodings (distinct prompts) + steps + one VAE decode per image.
  const prompts = new Set(requests.flatMap((r) => (r.guidance > 1 ? [r.prompt, r.negativePrompt] : [r.prompt])));
  expect(batchRuns).toBeLessThanOrEqual(prompts.size + requests[0]!.steps + requests.length);
}

describe("a UNet of real operators on onnxruntime's CPU provider", () => {
  it("computes each batch row bit for bit as it computes that row alone", async () => {
    const session = await ort.InferenceSession.create(join(randomDir, "unet", "model.onnx"), { intraOpNumThreads: 1 });
    try {
      const unet = new UnetModel(session);
      const rows = 3;
      const size = 4 * 16 * 16;
      const sample = new GaussianStream(1).next(rows * size);
      const hidden = new GaussianStream(2).next(rows * 77 * 32);
      const together = await unet.predict(sample, [rows, 4, 16, 16], 701, hidden, [rows, 77, 32]);
      for (let r = 0; r < rows; r++) {
        const alone = await unet.predict(sample.slice(r * size, (r + 1) * size), [1, 4, 16, 16], 701, hidden.slice(r * 77 * 32, (r + 1) * 77 * 32), [1, 77, 32]);
        expect(Buffer.from(together.slice(r * size, (r + 1) * size).buffer).equals(Buffer.from(alone.buffer)), `row ${r}`).toBe(true);
      }
    } finally {
      await session.release();
    }
  });
});

describe("renderBatch", () => {
  // The random model is built from real UNet operators (convolutions, GroupNorm, attention), so
  // this checks that onnxruntime computes each batch row independently of the others.
  const base: RenderRequest = { ...RED_CIRCLE, width: 64, height: 64, steps: 6 };

  it("gives each image exactly the bytes it gets alone, with guidance in the same call", async () => {
    for (const sampler of ["euler_a", "dpmpp_2m_karras", "lcm"] as const) {
      await expectBatchedEqualsSingle(random, [
        { ...base, sampler, seed: 1 },
        { ...base, sampler, seed: 2, prompt: "a yellow ring at the top", guidance: 3 },
        { ...base, sampler, seed: 3, negativePrompt: "a blue background", guidance: 12 },
      ]);
    }
  });

  it("keeps each image's own seed: DDIM on the oracle shows the seed's noise", async () => {
    const requests = [1, 2, 3].map((seed) => ({ ...RED_CIRCLE, width: 64, height: 64, sampler: "ddim" as const, seed }));
    await expectBatchedEqualsSingle(oracle, requests);
    const pngs = new Set((await oracle.renderBatch(requests)).map((r) => bytesOf(r.png)));
    expect(pngs.size).toBe(3);
  });

  it("batches unguided renders too", async () => {
    await expectBatchedEqualsSingle(random, [
      { ...base, sampler: "euler_a", guidance: 1, seed: 10 },
      { ...base, sampler: "euler_a", guidance: 0, seed: 11, prompt: "a (green:1.4) square" },
    ]);
  });

  it("splits incompatible requests into separate batches and keeps request order", async () => {
    const requests: RenderRequest[] = [
      { ...RED_CIRCLE, width: 128, height: 128, seed: 5 },
      { ...RED_CIRCLE, width: 64, height: 64, sampler: "ddim", seed: 6 },
      { ...RED_CIRCLE, width: 128, height: 128, seed: 7, prompt: "a white triangle" },
      { ...RED_CIRCLE, width: 128, height: 128, seed: 8, guidance: 1 },
    ];
    const steps: string[] = [];
    const results = await oracle.renderBatch(requests, { onStep: (s, n) => steps.push(`${s}/${n}`) });
    expect(results.map((r) => `${r.width}x${r.height}`)).toEqual(["128x128", "64x64", "128x128", "128x128"]);
    for (const [i, request] of requests.entries()) expect(bytesOf(results[i]!.png)).toBe(bytesOf((await oracle.render(request)).png));
    // Three batches of 20 steps: (0, 2), (1), (3).
    expect(steps.filter((s) => s === "20/20")).toHaveLength(3);
  });

  it("names the request that breaks a limit and renders nothing", async () => {
    const before = oracle.stats.images;
    await expect(oracle.renderBatch([RED_CIRCLE, { ...RED_CIRCLE, steps: 0 }])).rejects.toThrow("request 1: steps must be an integer between 1 and 150 (got 0)");
    expect(oracle.stats.images).toBe(before);
    expect(await oracle.renderBatch([])).toEqual([]);
  });
});

describe("maxBatchFor", () => {
  it("fits the estimated UNet activations in the budget after the weights and one VAE decode", () => {
    const input = { width: 512, height: 512, elementBytes: 4 };
    const perImage = 2 * unetRowBytes(input); // guided: two UNet rows per image
    const budget = oracle.residentBytes + vaeDecodeBytes(input) + 3 * perImage;
    expect(oracle.maxBatchFor(512, 512, budget)).toBe(3);
    expect(oracle.maxBatchFor(512, 512, budget - 1)).toBe(2);
    expect(oracle.maxBatchFor(512, 512, budget, { guided: false })).toBe(6);
    expect(oracle.maxBatchFor(512, 512, oracle.residentBytes)).toBe(0);
  });

  it("sizes an SD-class 512x512 render at about 1.5 GB per UNet row in fp32", () => {
    // 4096 latent pixels: 0.41 GB of feature maps + 8 heads of 4096² attention scores in and out of softmax (1.07 GB).
    expect(unetRowBytes({ width: 512, height: 512, elementBytes: 4 }) / 1e9).toBeCloseTo(1.483, 3);
    expect(unetRowBytes({ width: 512, height: 512, elementBytes: 2 }) / 1e9).toBeCloseTo(0.742, 3);
    expect(oracle.maxBatchFor(512, 512, 16e9)).toBe(5);
    expect(oracle.maxBatchFor(768, 768, 16e9)).toBe(1); // attention grows with the square of the latent pixels
  });
});
