import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortError, ValidationError } from "../errors.ts";
import { decodePng } from "../png/png-decode.ts";
import type { RenderRequest } from "../render-request.ts";
import { RED_CIRCLE, testModelDirs } from "../testing/demo-fixture.ts";
import { ImageFinisher } from "./image-finish.ts";
import { Pipeline } from "./pipeline.ts";

// Pipeline.denoise and an ImageFinisher of the same model split a render at
// the latents, so that an agent can decode and encode on another thread
// while the UNet denoises the next images: the halves must give the bytes
// that renderBatch gives, after the batch has crossed a thread boundary
// (structuredClone is what postMessage does to it).

let remove: () => Promise<void>;
let random: Pipeline;
let checked: Pipeline;
let randomFinisher: ImageFinisher;
let checkedFinisher: ImageFinisher;

beforeAll(async () => {
  const models = await testModelDirs({ random: { unet: "random", vae: "random" }, checked: { safetyChecker: true } });
  remove = models.remove;
  [random, checked, randomFinisher, checkedFinisher] = await Promise.all([
    Pipeline.load(models.dirs.random),
    Pipeline.load(models.dirs.checked),
    ImageFinisher.load(models.dirs.random),
    ImageFinisher.load(models.dirs.checked),
  ]);
});
afterAll(async () => {
  await Promise.all([random?.close(), checked?.close(), randomFinisher?.close(), checkedFinisher?.close()]);
  await remove?.();
});

const small: RenderRequest = { ...RED_CIRCLE, width: 64, height: 64, steps: 4 };

describe("Pipeline.denoise and ImageFinisher", () => {
  it("finish a batch, after a copy across threads, into the bytes renderBatch gives", async () => {
    const requests = [small, { ...small, seed: 7, prompt: "a blue square" }];
    const batch = structuredClone(await random.denoise(requests));
    expect(batch.images.map((image) => image.latents?.length)).toEqual([4 * 8 * 8, 4 * 8 * 8]);
    const decodedBefore = randomFinisher.stats.vaeDecoderMs;
    const finished = await randomFinisher.finish(batch);
    const rendered = await random.renderBatch(requests);
    for (const [i, result] of finished.entries()) {
      expect(Buffer.from(result.png).equals(Buffer.from(rendered[i]!.png)), `request ${i}`).toBe(true);
    }
    expect(randomFinisher.stats.vaeDecoderMs).toBeGreaterThan(decodedBefore);
  });

  it("keep or black out a flagged image as renderBatch does", async () => {
    const request = { ...small, prompt: "a red" };
    const batch = structuredClone(await checked.denoise([request]));
    const [kept] = await checkedFinisher.finish(batch, { flagged: "keep" });
    const [black] = await checkedFinisher.finish(batch);
    expect(kept!.nsfw && black!.nsfw).toBe(true);
    expect(decodePng(kept!.png).pixels.some((v) => v !== 0)).toBe(true);
    expect(Buffer.from(kept!.png).equals(Buffer.from((await checked.render(request, { flagged: "keep" })).png))).toBe(true);
    expect(Buffer.from(black!.png).equals(Buffer.from((await checked.render(request)).png))).toBe(true);
  });

  it("refuse what they cannot split, naming the request or the models", async () => {
    await expect(random.denoise([small, { ...small, hires: { scale: 2, denoise: 0.5, upscaler: "bicubic" } }])).rejects.toThrow(ValidationError);
    await expect(random.denoise([small, { ...small, hires: { scale: 2, denoise: 0.5, upscaler: "bicubic" } }])).rejects.toThrow(/request 1: hires/);
    const batch = await random.denoise([small]);
    await expect(checkedFinisher.finish(batch)).rejects.toThrow("the batch was denoised by model random; this finisher decodes model checked's latents");
  });

  it("decode nothing once the signal is aborted", async () => {
    const batch = await random.denoise([small]);
    const abort = new AbortController();
    abort.abort();
    const before = randomFinisher.stats;
    await expect(randomFinisher.finish(batch, { signal: abort.signal })).rejects.toThrow(AbortError);
    expect(randomFinisher.stats).toEqual(before);
  });
});
