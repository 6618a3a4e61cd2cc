import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePng } from "../png/png-decode.ts";
import { RED_CIRCLE, rgbAt, testModelDirs } from "../testing/demo-fixture.ts";
import { Pipeline } from "./pipeline.ts";

// An LCM-distilled export: its UNet takes the guidance scale as
// `timestep_cond` (the guidance-scale embedding) and runs without CFG. The
// generated oracle reads w back from the embedding, checks the whole vector
// against the formula, and draws the demo's colours times w/7 (see
// demo-unet.ts), so a wrong or missing embedding shows in the pixels.

let remove: () => Promise<void>;
let lcm: Pipeline;
let plain: Pipeline;

beforeAll(async () => {
  const models = await testModelDirs({ lcm: { timestepCondDim: 256 }, plain: {} });
  remove = models.remove;
  [lcm, plain] = await Promise.all([Pipeline.load(models.dirs.lcm), Pipeline.load(models.dirs.plain)]);
});
afterAll(async () => {
  await Promise.all([lcm?.close(), plain?.close()]);
  await remove?.();
});

const LCM_RED_CIRCLE = { ...RED_CIRCLE, sampler: "lcm" as const, steps: 4, width: 64, height: 64 };

describe("LCM-distilled UNet (timestep_cond)", () => {
  it("runs without CFG at any guidance: one text encoding, one UNet call per step, one decode", async () => {
    const before = lcm.stats.sessionRuns;
    await lcm.render({ ...LCM_RED_CIRCLE, guidance: 8, negativePrompt: "a blue circle" });
    expect(lcm.stats.sessionRuns - before).toBe(1 + 4 + 1);
  });

  // The plain oracle without guidance lands exactly on the demo's picture.
  const reference = async () => decodePng((await plain.render({ ...LCM_RED_CIRCLE, guidance: 1 })).png);

  it("at guidance 8 draws what an ordinary model draws without guidance", async () => {
    const distilled = decodePng((await lcm.render({ ...LCM_RED_CIRCLE, guidance: 8 })).png);
    const expected = await reference();
    expect(rgbAt(expected, 32, 32)[0]).toBeGreaterThan(200);
    let worst = 0;
    for (let i = 0; i < distilled.pixels.length; i++) worst = Math.max(worst, Math.abs(distilled.pixels[i]! - expected.pixels[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it("feeds w = guidance - 1: guidance 4.5 draws every pixel at half strength", async () => {
    const image = decodePng((await lcm.render({ ...LCM_RED_CIRCLE, guidance: 4.5 })).png);
    const expected = await reference();
    // [-1,1] halved: 127.5 + (v - 127.5)/2, give or take rounding on both sides
    let worst = 0;
    for (let i = 0; i < image.pixels.length; i++) worst = Math.max(worst, Math.abs(image.pixels[i]! - (127.5 + (expected.pixels[i]! - 127.5) / 2)));
    expect(worst).toBeLessThanOrEqual(1.5);
  });
});
