import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RenderRequest } from "../render-request.ts";
import { decodePng as decode } from "../png/png-decode.ts";
import { formatXmp, parseXmp, XMP_KEYWORD } from "../png/xmp.ts";
import { checkAtelierMark } from "../watermark/atelier-mark.ts";
import { demoModelDir, maxPixelDifference, RED_CIRCLE, type Rgb, rgbAt, shareOf } from "../testing/demo-fixture.ts";
import { Pipeline } from "./pipeline.ts";

// Renders with the generated demo model (see README) and checks pixels.

let modelDir: string;
let remove: () => Promise<void>;
let pipeline: Pipeline;

beforeAll(async () => {
  ({ modelDir, remove } = await demoModelDir());
  pipeline = await Pipeline.load(modelDir);
});
afterAll(async () => {
  await pipeline?.close();
  await remove?.();
});

const render = async (change: Partial<RenderRequest> = {}) => (await pipeline.render({ ...RED_CIRCLE, ...change })).png;
const isRed = ([r, g, b]: Rgb) => r > 180 && g < 80 && b < 80;
const isBlue = ([r, g, b]: Rgb) => b > 180 && r < 80 && g < 100;
const isYellow = ([r, g, b]: Rgb) => r > 200 && g > 180 && b < 60;
const isDark = ([r, g, b]: Rgb) => r < 80 && g < 80 && b < 80;
const centre = { x0: 112, y0: 112, x1: 144, y1: 144 };
const corners = [
  { x0: 0, y0: 0, x1: 24, y1: 24 },
  { x0: 232, y0: 0, x1: 256, y1: 24 },
  { x0: 0, y0: 232, x1: 24, y1: 256 },
  { x0: 232, y0: 232, x1: 256, y1: 256 },
];

describe("Pipeline.render with the demo model", () => {
  it("draws a red circle on a blue background", async () => {
    const image = decode(await render());
    expect(image).toMatchObject({ width: 256, height: 256, channels: 3 });
    expect(shareOf(image, centre, isRed)).toBeGreaterThanOrEqual(0.9);
    for (const corner of corners) expect(shareOf(image, corner, isBlue)).toBeGreaterThanOrEqual(0.9);
    // A circle, not a square: the box corners around the centre are background.
    expect(isBlue(rgbAt(image, 128 - 50, 128 - 50))).toBe(true);
    expect(isRed(rgbAt(image, 128 - 50, 128))).toBe(true);
  });

  it("moves the shape with position words", async () => {
    const left = decode(await render({ prompt: "a yellow square on the left" }));
    expect(shareOf(left, { x0: 48, y0: 104, x1: 80, y1: 152 }, isYellow)).toBeGreaterThanOrEqual(0.9);
    expect(shareOf(left, { x0: 176, y0: 104, x1: 208, y1: 152 }, isDark)).toBeGreaterThanOrEqual(0.9);
    const top = decode(await render({ prompt: "a green triangle at the top" }));
    expect(rgbAt(top, 128, 60)[1]).toBeGreaterThan(150);
    expect(isDark(rgbAt(top, 128, 200))).toBe(true);
  });

  it("ignores words it does not know", async () => {
    const plain = decode(await render());
    const noisy = decode(await render({ prompt: "zebra!! a red circle, on a blue background; 8k photorealistic" }));
    expect(maxPixelDifference(plain, noisy)).toBe(0);
    // "sacred" ends in the token "red</w>", but not at a word start: the circle keeps its default colour.
    const sacred = decode(await render({ prompt: "a sacred circle" }));
    expect(rgbAt(sacred, 128, 128).every((v) => v > 200)).toBe(true);
    const unknown = decode(await render({ prompt: "hello world" }));
    expect(rgbAt(unknown, 128, 128).every((v) => Math.abs(v - 128) <= 2)).toBe(true);
  });

  it("renders byte-identical PNGs for the same request, also after a reload", async () => {
    const first = await render();
    expect(Buffer.from(await render()).equals(Buffer.from(first))).toBe(true);
    const reloaded = await Pipeline.load(modelDir);
    try {
      const again = await reloaded.render(RED_CIRCLE);
      expect(Buffer.from(again.png).equals(Buffer.from(first))).toBe(true);
    } finally {
      await reloaded.close();
    }
  });

  it("shows the seed where the sampler leaves noise, and converges regardless of it", async () => {
    // DDIM stops at ᾱ_0 < 1, so sqrt(1-ᾱ_0) ≈ 3% of the seed's noise stays in the image.
    const ddim1 = await render({ sampler: "ddim", guidance: 1, seed: 1 });
    const ddim2 = await render({ sampler: "ddim", guidance: 1, seed: 2 });
    expect(Buffer.from(ddim1).equals(Buffer.from(ddim2))).toBe(false);
    const difference = maxPixelDifference(decode(ddim1), decode(ddim2));
    expect(difference).toBeGreaterThan(0);
    expect(difference).toBeLessThan(40);
    expect(shareOf(decode(ddim2), centre, isRed)).toBeGreaterThanOrEqual(0.9);
    // Euler ends at σ = 0: the demo target exactly, whatever the seed.
    expect(maxPixelDifference(decode(await render({ seed: 1 })), decode(await render({ seed: 2 })))).toBeLessThanOrEqual(1);
  });

  it("converges to the same picture with both samplers", async () => {
    const euler = decode(await render({ sampler: "euler" }));
    const ddim = decode(await render({ sampler: "ddim" }));
    let total = 0;
    for (let i = 0; i < euler.pixels.length; i++) total += Math.abs(euler.pixels[i]! - ddim.pixels[i]!);
    expect(total / euler.pixels.length).toBeLessThan(1.5);
    expect(shareOf(ddim, centre, isRed)).toBeGreaterThanOrEqual(0.9);
  });

  it("keeps the demo's colours at any guidance and pushes away from the negative prompt", async () => {
    const base = decode(await render({ guidance: 1 }));
    for (const guidance of [0, 4, 7.5, 20]) {
      expect(maxPixelDifference(base, decode(await render({ guidance }))), `guidance ${guidance}`).toBeLessThanOrEqual(1);
    }
    // Negative = prompt: the guided prediction equals the conditional one.
    expect(maxPixelDifference(base, decode(await render({ negativePrompt: RED_CIRCLE.prompt })))).toBeLessThanOrEqual(1);
    // Negative "a blue background": the circle is pushed away from blue to saturated red.
    const pushed = decode(await render({ negativePrompt: "a blue background" }));
    expect(rgbAt(pushed, 128, 128)).toEqual([255, 0, 0]);
    expect(isBlue(rgbAt(pushed, 4, 4))).toBe(true);
  });

  it("writes A1111 parameters, JSON provenance, the XMP AI label and nothing time-dependent", async () => {
    const image = decode(await render({ negativePrompt: "blurry", seed: 4294967295 }));
    expect(image.text).toEqual({
      parameters:
        "a red circle on a blue background\nNegative prompt: blurry\n" +
        `Steps: 20, Sampler: Euler, CFG scale: 7.5, Seed: 4294967295, Size: 256x256, Model hash: ${pipeline.modelHash}, Model: atelier-demo`,
      atelier: JSON.stringify({
        atelier: "0.1.0",
        onnxruntime: "1.30.0",
        model: "atelier-demo",
        modelHash: pipeline.modelHash,
        providers: ["cpu"],
        sampler: "euler",
        seed: 4294967295,
        steps: 20,
        guidance: 7.5,
        width: 256,
        height: 256,
        nsfw: false,
      }),
      [XMP_KEYWORD]: formatXmp({ generator: "Atelier 0.1.0", model: "atelier-demo", modelHash: pipeline.modelHash }),
    });
  });

  it("labels an image with its batch, item and time, and stamps the watermark only when asked", async () => {
    const label = { batchId: "batch-1", itemId: "7", createdAt: "2026-12-02T02:00:00.000Z" };
    const marked = decode(await render({ label, watermark: true }));
    expect(parseXmp(marked.text[XMP_KEYWORD]!)).toMatchObject(label);
    expect(checkAtelierMark(marked.pixels, 256, 256)).toMatchObject({ present: true, bitErrors: 0 });
    const plain = decode(await render({ label }));
    expect(checkAtelierMark(plain.pixels, 256, 256).present).toBe(false);
  });

  it("renders non-square sizes with round shapes", async () => {
    const result = await pipeline.render({ ...RED_CIRCLE, width: 320, height: 192, sampler: "ddim" });
    const image = decode(result.png);
    expect([result.width, result.height, image.width, image.height]).toEqual([320, 192, 320, 192]);
    expect(isRed(rgbAt(image, 160, 96))).toBe(true);
    expect(isRed(rgbAt(image, 160 + 30, 96))).toBe(true);
    expect(isRed(rgbAt(image, 160, 96 + 30))).toBe(true);
    expect(isBlue(rgbAt(image, 160 + 70, 96))).toBe(true);
    expect(result.inferenceMs).toBeGreaterThan(0);
    expect(result.totalMs).toBeGreaterThanOrEqual(result.inferenceMs);
  });
});
