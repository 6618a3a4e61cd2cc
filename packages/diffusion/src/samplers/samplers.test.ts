import { describe, expect, it } from "vitest";
import { gaussianNoise } from "../noise/gaussian-noise.ts";
import { inferenceTimesteps, type NoiseSchedule, parseSchedulerConfig } from "../scheduler/noise-schedule.ts";
import { SAMPLER_NAMES, createSampler } from "./sampler-registry.ts";

const SD15 = {
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: "scaled_linear",
  num_train_timesteps: 1000,
  prediction_type: "epsilon",
  set_alpha_to_one: false,
  steps_offset: 1,
  timestep_spacing: "leading",
};

/**
 * Runs a sampler against an oracle model that knows the clean target x0 and
 * answers with the exact ε (or v) for it, as the demo UNet does.
 */
function sampleWithOracle(name: (typeof SAMPLER_NAMES)[number], schedule: NoiseSchedule, steps: number, x0: Float32Array): Float32Array {
  const sampler = createSampler(name, schedule, steps);
  let latents: Float32Array = gaussianNoise(1, x0.length).map((x) => x * sampler.initNoiseSigma);
  sampler.timesteps.forEach((t, i) => {
    const input = sampler.scaleModelInput(latents, i);
    const a = schedule.alphasCumprod[t]!;
    const eps = input.map((x, k) => (x - Math.sqrt(a) * x0[k]!) / Math.sqrt(1 - a));
    const out = schedule.predictionType === "epsilon" ? eps : eps.map((e, k) => Math.sqrt(a) * e - Math.sqrt(1 - a) * x0[k]!);
    latents = sampler.step(out, i, latents);
  });
  return latents;
}

describe("noise schedule", () => {
  it("computes SD's scaled_linear ᾱ", () => {
    const s = parseSchedulerConfig(SD15, "test");
    expect(s.alphasCumprod[0]).toBeCloseTo(1 - 0.00085, 10);
    // k-diffusion's well-known σ range for SD 1.x: 0.0292 .. 14.6146
    const sigma = (t: number) => Math.sqrt((1 - s.alphasCumprod[t]!) / s.alphasCumprod[t]!);
    expect(sigma(0)).toBeCloseTo(0.0292, 4);
    expect(sigma(999)).toBeCloseTo(14.6146, 3);
    expect(s.finalAlphaCumprod).toBe(s.alphasCumprod[0]);
  });

  it("spaces timesteps like diffusers", () => {
    const sd = parseSchedulerConfig(SD15, "test");
    expect(inferenceTimesteps(sd, 20)).toEqual([951, 901, 851, 801, 751, 701, 651, 601, 551, 501, 451, 401, 351, 301, 251, 201, 151, 101, 51, 1]);
    const turbo = parseSchedulerConfig({ ...SD15, timestep_spacing: "trailing" }, "test");
    expect(inferenceTimesteps(turbo, 1)).toEqual([999]);
    expect(inferenceTimesteps(turbo, 4)).toEqual([999, 749, 499, 249]);
    expect(inferenceTimesteps(turbo, 3)).toEqual([999, 666, 332]); // numpy rounds 666.67 -> 667, 333.33 -> 333
  });

  it("names unsupported settings", () => {
    expect(() => parseSchedulerConfig({ ...SD15, prediction_type: "sample" }, "x.json")).toThrow(/x.json: prediction_type "sample"/);
    expect(() => parseSchedulerConfig({ ...SD15, beta_schedule: "squaredcos_cap_v2" }, "x.json")).toThrow(/beta_schedule/);
  });
});

describe.each(SAMPLER_NAMES)("%s sampler", (name) => {
  const x0 = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * 0.9);
  const schedule = parseSchedulerConfig(SD15, "test");

  it.each([1, 4, 20])("converges to the target in %i steps", (steps) => {
    const result = sampleWithOracle(name, schedule, steps, x0);
    if (name === "euler") {
      result.forEach((v, k) => expect(Math.abs(v - x0[k]!)).toBeLessThan(1e-3));
      return;
    }
    // DDIM keeps ε fixed along the way and stops at ᾱ_0 < 1 (set_alpha_to_one=false), so it ends at
    // sqrt(ᾱ_0)·x0 + sqrt(1-ᾱ_0)·ε with ε the noise implied at the first timestep T.
    const aT = schedule.alphasCumprod[createSampler(name, schedule, steps).timesteps[0]!]!;
    const a0 = schedule.alphasCumprod[0]!;
    const noise = gaussianNoise(1, x0.length);
    result.forEach((v, k) => {
      const eps = (noise[k]! - Math.sqrt(aT) * x0[k]!) / Math.sqrt(1 - aT);
      expect(v).toBeCloseTo(Math.sqrt(a0) * x0[k]! + Math.sqrt(1 - a0) * eps, 4);
    });
  });

  it("converges for v-prediction models", () => {
    const v = parseSchedulerConfig({ ...SD15, prediction_type: "v_prediction", set_alpha_to_one: true }, "test");
    const result = sampleWithOracle(name, v, 10, x0);
    result.forEach((value, k) => expect(Math.abs(value - x0[k]!)).toBeLessThan(1e-3));
  });

});

describe("euler sampler", () => {
  it("starts at sqrt(σ_max² + 1) for leading spacing", () => {
    const schedule = parseSchedulerConfig(SD15, "test");
    const a = schedule.alphasCumprod[951]!;
    expect(createSampler("euler", schedule, 20).initNoiseSigma).toBeCloseTo(Math.sqrt((1 - a) / a + 1), 10);
  });
});
