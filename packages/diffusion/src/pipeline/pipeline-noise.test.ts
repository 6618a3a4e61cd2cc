import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePng } from "../png/png-decode.ts";
import { RED_CIRCLE, demoModelDir } from "../testing/demo-fixture.ts";
import { Pipeline } from "./pipeline.ts";

let remove: () => Promise<void>;
let pipeline: Pipeline;

beforeAll(async () => {
  const model = await demoModelDir();
  remove = model.remove;
  pipeline = await Pipeline.load(model.modelDir);
});
afterAll(async () => {
  await pipeline?.close();
  await remove?.();
});

// DDIM on the demo model ends at ᾱ_0 < 1 and keeps ~3% of its starting noise, so the noise source shows in the pixels.
const request = { ...RED_CIRCLE, width: 64, height: 64, sampler: "ddim" as const, steps: 10 };
const pixels = async (extra: object) => Buffer.from(decodePng((await pipeline.render({ ...request, ...extra })).png).pixels);

describe("noise sources", () => {
  it("changes the starting noise, reproducibly, and names it in the PNG as A1111 does", async () => {
    const atelier = await pixels({});
    const torch = await pixels({ noiseSource: "torch-cpu" });
    const philox = await pixels({ noiseSource: "a1111-gpu" });
    expect(torch.equals(atelier)).toBe(false);
    expect(philox.equals(atelier)).toBe(false);
    expect(philox.equals(torch)).toBe(false);
    expect((await pixels({ noiseSource: "torch-cpu" })).equals(torch)).toBe(true);
    expect((await pixels({ noiseSource: "atelier" })).equals(atelier)).toBe(true);

    const text = (png: Uint8Array) => decodePng(png).text;
    expect(text((await pipeline.render({ ...request, noiseSource: "torch-cpu" })).png)["parameters"]).toMatch(/, Model: atelier-demo, RNG: CPU$/);
    expect(text((await pipeline.render({ ...request, noiseSource: "a1111-gpu" })).png)["parameters"]).toMatch(/, RNG: NV$/);
    expect(JSON.parse(text((await pipeline.render({ ...request, noiseSource: "a1111-gpu" })).png)["atelier"]!).noiseSource).toBe("a1111-gpu");
    expect(text((await pipeline.render(request)).png)["parameters"]).not.toMatch(/RNG/);
  });

  it("refuses an unknown source by name", async () => {
    await expect(pipeline.render({ ...request, noiseSource: "cuda" as never })).rejects.toThrow(/noiseSource must be one of atelier, torch-cpu, a1111-gpu \(got "cuda"\)/);
  });
});
