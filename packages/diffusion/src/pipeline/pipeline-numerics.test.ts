import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePng } from "../png/png-decode.ts";
import { isRedish, RED_CIRCLE, rgbAt, testModelDirs } from "../testing/demo-fixture.ts";
import { Pipeline } from "./pipeline.ts";

let remove: () => Promise<void>;
let trailing: Pipeline;
let broken: Pipeline;

// SD's scaled_linear betas with the last one set to 1: ᾱ_999 = 0, so σ_999 is
// infinite. A real (if nonsensical) config that drives latents to Infinity/NaN.
const betas = Array.from({ length: 1000 }, (_, i) => (Math.sqrt(0.00085) + ((Math.sqrt(0.012) - Math.sqrt(0.00085)) * i) / 999) ** 2);
betas[999] = 1;

beforeAll(async () => {
  const models = await testModelDirs({
    trailing: { scheduler: { timestep_spacing: "trailing" } },
    broken: { scheduler: { trained_betas: betas, timestep_spacing: "trailing" } },
  });
  remove = models.remove;
  trailing = await Pipeline.load(models.dirs.trailing);
  broken = await Pipeline.load(models.dirs.broken);
});
afterAll(async () => {
  await Promise.all([trailing?.close(), broken?.close()]);
  await remove?.();
});

const request = { ...RED_CIRCLE, width: 64, height: 64 };

describe("non-finite values", () => {
  it.each([61, 103, 121, 122])("dpmpp_2m with trailing spacing renders at %i steps (diffusers' list gains timestep -1 there)", async (steps) => {
    const image = decodePng((await trailing.render({ ...request, sampler: "dpmpp_2m", steps })).png);
    expect(isRedish(rgbAt(image, 32, 32))).toBe(true);
  });

  it("fails the render with NonFiniteValuesError instead of writing a black image", async () => {
    const failure = broken.render({ ...request, sampler: "euler", steps: 4 });
    await expect(failure).rejects.toMatchObject({ name: "NonFiniteValuesError" });
    await expect(failure).rejects.toThrow(/image 1 of 1: latents after step 1 of 4 \(timestep 999\) has (NaN|-?Infinity)/);
  });
});
