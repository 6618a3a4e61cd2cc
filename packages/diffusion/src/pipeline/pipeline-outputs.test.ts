import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePng } from "../png/png-decode.ts";
import { thumbnailPng } from "../png/thumbnail.ts";
import { isBlueish, RED_CIRCLE, rgbAt, testModelDirs } from "../testing/demo-fixture.ts";
import { Pipeline } from "./pipeline.ts";

let remove: () => Promise<void>;
let oracle: Pipeline;
let checked: Pipeline;

beforeAll(async () => {
  const models = await testModelDirs({ oracle: {}, checked: { safetyChecker: true } });
  remove = models.remove;
  oracle = await Pipeline.load(models.dirs.oracle);
  checked = await Pipeline.load(models.dirs.checked);
});
afterAll(async () => {
  await Promise.all([oracle?.close(), checked?.close()]);
  await remove?.();
});

describe("a gallery thumbnail of a render", () => {
  it("is a box-filtered PNG with 128 px on the longer side", async () => {
    const result = await oracle.render({ ...RED_CIRCLE, width: 320, height: 192 });
    const image = decodePng(result.png);
    const thumb = decodePng(thumbnailPng(image, 128));
    expect([thumb.width, thumb.height, thumb.channels]).toEqual([128, 77, 3]);
    expect(thumb.text).toEqual({});
    // 320 -> 128 columns and 192 -> 77 rows: each thumbnail pixel is the mean of its source box.
    for (const [tx, ty] of [[0, 0], [64, 38], [100, 70], [127, 76]] as const) {
      const x0 = Math.floor((tx * 320) / 128);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * 320) / 128));
      const y0 = Math.floor((ty * 192) / 77);
      const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * 192) / 77));
      const mean = [0, 1, 2].map((c) => {
        let sum = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += rgbAt(image, x, y)[c]!;
        return Math.round(sum / ((x1 - x0) * (y1 - y0)));
      });
      expect(rgbAt(thumb, tx, ty)).toEqual(mean);
    }
  });
});

describe("safety checker", () => {
  // The generated checker flags images whose mean red is above 0.6, judged on clip_input
  // (resized, cropped and CLIP-normalised as transformers does).
  it("replaces a flagged image with solid black and reports it", async () => {
    const result = await checked.render({ ...RED_CIRCLE, prompt: "a red" });
    expect(result.nsfw).toBe(true);
    const image = decodePng(result.png);
    expect(image.pixels.every((v) => v === 0)).toBe(true);
    expect(JSON.parse(image.text["atelier"]!)).toMatchObject({ nsfw: true });
  });

  it("keeps a flagged image's pixels when the caller quarantines it (flagged: keep)", async () => {
    const request = { ...RED_CIRCLE, prompt: "a red" };
    const kept = await checked.render(request, { flagged: "keep" });
    expect(kept.nsfw).toBe(true);
    const pixels = decodePng(kept.png).pixels;
    expect(pixels.some((v) => v !== 0)).toBe(true);
    expect(pixels).toEqual(decodePng((await oracle.render(request)).png).pixels);
  });

  it("passes other images through unchanged", async () => {
    const result = await checked.render(RED_CIRCLE);
    expect(result.nsfw).toBe(false);
    expect(Buffer.from(result.png).equals(Buffer.from((await oracle.render(RED_CIRCLE)).png))).toBe(false); // model name differs
    expect(decodePng(result.png).pixels).toEqual(decodePng((await oracle.render(RED_CIRCLE)).png).pixels);
    expect(isBlueish(rgbAt(decodePng(result.png), 2, 2))).toBe(true);
  });
});

describe("emphasis", () => {
  // The demo mixes the colours of its shape; emphasis shifts the mix toward the weighted word.
  const centreOf = async (prompt: string) => rgbAt(decodePng((await oracle.render({ ...RED_CIRCLE, prompt, width: 64, height: 64 })).png), 32, 32);

  it("weights words as A1111 does", async () => {
    const plain = await centreOf("a red blue circle");
    const redder = await centreOf("a (red:1.6) blue circle");
    const bluer = await centreOf("a red (blue:1.6) circle");
    // plain ≈ (128, 43, 126); (red:1.6) ≈ (140, 40, 97); (blue:1.6) ≈ (99, 47, 136)
    expect(redder[0]).toBeGreaterThan(plain[0]);
    expect(redder[2]).toBeLessThan(plain[2] - 20);
    expect(bluer[2]).toBeGreaterThan(plain[2]);
    expect(bluer[0]).toBeLessThan(plain[0] - 20);
    // ((red)) is x1.21, between plain and x1.6; [red] is /1.1, the other way.
    const nested = await centreOf("a ((red)) blue circle");
    expect(nested[2]).toBeLessThan(plain[2]);
    expect(nested[2]).toBeGreaterThan(redder[2]);
    expect((await centreOf("a [red] blue circle"))[2]).toBeGreaterThan(plain[2]);
    // Escaped brackets are plain text, which the demo ignores.
    expect(await centreOf("a red blue circle \\(8k\\)")).toEqual(plain);
    expect(oracle.countTokens("a (red:1.6) blue circle")).toBe(4);
  });
});

describe("stats", () => {
  it("counts images, onnxruntime time and PNG encoding", async () => {
    const before = oracle.stats;
    // Prompts not seen before: recent text embeddings are cached.
    await oracle.render({ ...RED_CIRCLE, prompt: "a red circle, counted", negativePrompt: "counted" });
    const after = oracle.stats;
    expect(after.images - before.images).toBe(1);
    expect(after.sessionRuns - before.sessionRuns).toBe(2 + 20 + 1); // prompt + negative, 20 UNet steps, VAE
    expect(after.sessionRunMs).toBeGreaterThan(before.sessionRunMs);
    expect(after.pngEncodeMs).toBeGreaterThan(before.pngEncodeMs);
    expect(after.renderMs - before.renderMs).toBeGreaterThanOrEqual(after.sessionRunMs - before.sessionRunMs);
  });
});
