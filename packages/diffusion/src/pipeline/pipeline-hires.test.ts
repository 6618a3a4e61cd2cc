import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resizeBicubicRgb } from "../image/resize-bicubic.ts";
import { decodePng } from "../png/png-decode.ts";
import { RED_CIRCLE, testModelDirs } from "../testing/demo-fixture.ts";
import { writeUpscalerModel } from "../test-models/index.ts";
import { Upscaler } from "../upscaler/upscaler-model.ts";
import { Pipeline } from "./pipeline.ts";

let remove: () => Promise<void>;
let pipeline: Pipeline;
let upscaler: Upscaler;

beforeAll(async () => {
  const models = await testModelDirs({ demo: {} });
  remove = models.remove;
  pipeline = await Pipeline.load(models.dirs.demo);
  upscaler = await Upscaler.load(await writeUpscalerModel(`${models.dirs.demo}/..`, "tiny-x2", { scale: 2 }));
});
afterAll(async () => {
  await Promise.all([pipeline?.close(), upscaler?.close()]);
  await remove?.();
});

const FIRST = { ...RED_CIRCLE, width: 128, height: 96, steps: 8 };

describe("hires fix", () => {
  it("renders the first pass, upscales it and runs img2img at the target size; the PNG says so as A1111 does", async () => {
    const before = pipeline.stats.sessionRuns;
    const result = await pipeline.render({ ...FIRST, prompt: "a yellow ring", hires: { scale: 2, denoise: 0.5, steps: 6, upscaler: "bicubic" } });
    // first pass: prompt + "" encoded, 8 UNet calls, decode; second: VAE encode, 3 UNet calls (trunc(6·0.5)), decode
    expect(pipeline.stats.sessionRuns - before).toBe(2 + 8 + 1 + (1 + 3 + 1));
    const png = decodePng(result.png);
    expect([png.width, png.height, result.width, result.height]).toEqual([256, 192, 256, 192]);
    expect(png.text["parameters"]).toContain("Size: 128x96, ");
    expect(png.text["parameters"]).toContain("Steps: 8, ");
    expect(png.text["parameters"]).toMatch(/Denoising strength: 0.5, Hires upscale: 2, Hires steps: 6, Hires upscaler: bicubic$/);
    expect(JSON.parse(png.text["atelier"]!)).toMatchObject({ width: 256, height: 192, hires: { scale: 2, denoise: 0.5, firstPassWidth: 128 } });
  });

  it("at denoise 0 returns exactly the upscaled first pass (bicubic, or the upscaler model)", async () => {
    const first = decodePng((await pipeline.render(FIRST)).png);
    const bicubic = decodePng((await pipeline.render({ ...FIRST, hires: { scale: 2, denoise: 0, upscaler: "bicubic" } })).png);
    expect(Buffer.from(bicubic.pixels).equals(Buffer.from(resizeBicubicRgb(first.pixels, 128, 96, 256, 192)))).toBe(true);
    const model = decodePng((await pipeline.render({ ...FIRST, hires: { scale: 2, denoise: 0, upscaler: "tiny-x2" } }, { upscaler })).png);
    const expected = await upscaler.upscale(first.pixels, 128, 96);
    expect(Buffer.from(model.pixels).equals(Buffer.from(expected.rgb))).toBe(true);
    expect(Buffer.from(model.pixels).equals(Buffer.from(bicubic.pixels))).toBe(false);
  });

  it("refuses an upscaler it was not given, and targets past the size limit", async () => {
    await expect(pipeline.render({ ...FIRST, hires: { scale: 2, denoise: 0.5, upscaler: "4x-UltraSharp" } })).rejects.toThrow(
      'hires.upscaler "4x-UltraSharp" is neither "bicubic" nor the upscaler passed in RenderOptions.upscaler (none)',
    );
    await expect(pipeline.render({ ...FIRST, width: 1024, hires: { scale: 2.5, denoise: 0.5, upscaler: "bicubic" } })).rejects.toThrow("hires.scale 2.5 makes a 2560 px side; the limit is 2048");
  });
});
