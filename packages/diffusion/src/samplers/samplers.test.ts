import { describe, expect, it } from "vitest";
import { parseSchedulerConfig } from "../scheduler/noise-schedule.ts";
import { gaussianOracle, sampleWithOracle, targetOracle } from "../testing/sampler-oracles.ts";
import { SAMPLER_NAMES, type SamplerName, createSampler } from "./sampler-registry.ts";

// Stable Diffusion 1.x's scheduler_config.json (as exported).
const SD15 = {
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: "scaled_linear",
  num_train_timesteps: 1000,
  prediction_type: "epsilon",
  set_alpha_to_one: false,
  skip_prk_steps: true,
  clip_sample: false,
  steps_offset: 1,
  timestep_spacing: "leading",
};
const schedule = (overrides: Record<string, unknown> = {}) => parseSchedulerConfig({ ...SD15, ...overrides }, "test");
const maxError = (a: Float32Array, b: ArrayLike<number>) => a.reduce((m, v, k) => Math.max(m, Math.abs(v - b[k]!)), 0);

describe("noise schedule", () => {
  it("computes SD's scaled_linear ᾱ", () => {
    const s = schedule();
    expect(s.alphasCumprod[0]).toBeCloseTo(1 - 0.00085, 10);
    // k-diffusion's well-known σ range for SD 1.x: 0.0292 .. 14.6146
    const sigma = (t: number) => Math.sqrt((1 - s.alphasCumprod[t]!) / s.alphasCumprod[t]!);
    expect(sigma(0)).toBeCloseTo(0.0292, 4);
    expect(sigma(999)).toBeCloseTo(14.6146, 3);
  });

  it("names unsupported settings", () => {
    expect(() => schedule({ prediction_type: "sample" })).toThrow(/test: prediction_type "sample" is not supported/);
    expect(() => schedule({ beta_schedule: "sigmoid" })).toThrow(/beta_schedule/);
    expect(() => schedule({ timestep_spacing: "karras" })).toThrow(/timestep_spacing "karras"/);
    expect(() => schedule({ rescale_betas_zero_snr: true })).toThrow(/rescale_betas_zero_snr/);
    expect(() => schedule({ timestep_type: "continuous" })).toThrow(/timestep_type "continuous"/);
  });
});

describe("timesteps, as diffusers sets them", () => {
  const timesteps = (name: SamplerName, steps: number, overrides: Record<string, unknown> = {}, strength = 1) =>
    createSampler(name, schedule(overrides), steps, strength).timesteps;

  it("spaces leading, trailing and linspace steps", () => {
    expect(timesteps("ddim", 20)).toEqual([951, 901, 851, 801, 751, 701, 651, 601, 551, 501, 451, 401, 351, 301, 251, 201, 151, 101, 51, 1]);
    expect(timesteps("euler", 1, { timestep_spacing: "trailing" })).toEqual([999]);
    expect(timesteps("euler", 4, { timestep_spacing: "trailing" })).toEqual([999, 749, 499, 249]);
    expect(timesteps("euler", 3, { timestep_spacing: "trailing" })).toEqual([999, 666, 332]); // numpy rounds 666.67 -> 667, 333.33 -> 333
    // Euler keeps linspace timesteps fractional (float32); DDIM rounds them half to even.
    expect(timesteps("euler", 4, { timestep_spacing: "linspace" })).toEqual([999, 666, 333, 0]);
    expect(timesteps("euler", 3, { timestep_spacing: "linspace" })).toEqual([999, 499.5, 0]);
    expect(timesteps("ddim", 3, { timestep_spacing: "linspace" })).toEqual([999, 500, 0]);
  });

  it("applies each scheduler's own default when the config has no timestep_spacing", () => {
    const none = { timestep_spacing: undefined };
    expect(timesteps("euler", 4, none)).toEqual([999, 666, 333, 0]); // EulerDiscreteScheduler: linspace
    expect(timesteps("ddim", 4, none)).toEqual([751, 501, 251, 1]); // DDIMScheduler: leading
    expect(timesteps("dpmpp_2m", 20, none)).toEqual([999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450, 400, 350, 300, 250, 200, 150, 100, 50]);
  });

  it("runs PLMS with one extra call at the second timestep", () => {
    expect(timesteps("pndm", 4)).toEqual([751, 501, 501, 251, 1]);
    // Without skip_prk_steps: three Runge-Kutta steps over the pndm_order = 4 highest timesteps (12 calls at
    // whole and half steps) warm up the history; diffusers' PNDMScheduler(SD 1.5 config).set_timesteps(5).timesteps.
    expect(timesteps("pndm", 5, { skip_prk_steps: false })).toEqual([801, 701, 701, 601, 601, 501, 501, 401, 401, 301, 301, 201, 201, 1]);
    expect(() => timesteps("pndm", 3, { skip_prk_steps: false })).toThrow(/needs at least 4 denoising steps/);
  });

  it("uses Karras sigmas and maps them back to integer timesteps for dpmpp_2m_karras", () => {
    const ts = timesteps("dpmpp_2m_karras", 10);
    expect(ts[0]).toBe(999);
    expect(ts[ts.length - 1]).toBe(0);
    expect(ts.every(Number.isInteger)).toBe(true);
  });

  it("picks LCM's steps from its 50-step distillation schedule", () => {
    expect(timesteps("lcm", 4)).toEqual([999, 759, 499, 259]);
    expect(timesteps("lcm", 1)).toEqual([999]);
    expect(() => timesteps("lcm", 60)).toThrow(/lcm runs at most 50 steps/);
  });

  it("keeps the last trunc(steps x strength) steps for img2img", () => {
    expect(timesteps("euler", 20, {}, 0.5)).toEqual(timesteps("euler", 20).slice(10));
    expect(timesteps("ddim", 10, {}, 0.29)).toEqual([101, 1]); // trunc(10 x 0.29) = 2 steps
    expect(timesteps("dpmpp_2m", 20, {}, 0.01)).toEqual([]);
    // PNDM rebuilds its warm-up on the kept steps.
    expect(timesteps("pndm", 4, {}, 0.5)).toEqual([251, 1, 1]);
    // LCM shortens its distillation schedule instead and runs every step on it.
    expect(timesteps("lcm", 4, {}, 0.5)).toEqual([499, 379, 259, 139]);
  });
});

describe.each(SAMPLER_NAMES)("%s on the target oracle", (name) => {
  const size = 64;
  const x0 = Float32Array.from({ length: size }, (_, i) => Math.sin(i) * 0.9);

  it.each([1, 4, 20])("lands on the target in %i steps (set_alpha_to_one)", (steps) => {
    for (const prediction of ["epsilon", "v_prediction"]) {
      const s = schedule({ prediction_type: prediction, set_alpha_to_one: true });
      const { latents } = sampleWithOracle({ sampler: name, schedule: s, steps, oracle: targetOracle(x0), size });
      // PNDM extrapolates the model's raw output; for v-prediction that is v, which (unlike ε) changes
      // along the path, so diffusers' PLMS is only approximate there.
      const tolerance = name === "pndm" && prediction === "v_prediction" ? ({ 1: 1e-5, 4: 0.2, 20: 0.01 } as Record<number, number>)[steps]! : 1e-5;
      expect(maxError(latents, x0), `${prediction}, ${steps} steps`).toBeLessThan(tolerance);
    }
  });

  it("converges from an img2img start", () => {
    const s = schedule({ set_alpha_to_one: true });
    const image = x0.map((v) => -v);
    const { latents, calls } = sampleWithOracle({ sampler: name, schedule: s, steps: 20, oracle: targetOracle(x0), size, initLatents: image, strength: 0.6 });
    expect(calls).toBe(name === "pndm" ? 13 : name === "lcm" ? 20 : 12);
    expect(maxError(latents, x0)).toBeLessThan(1e-5);
  });
});

describe("SD's set_alpha_to_one: false", () => {
  const size = 64;
  const x0 = Float32Array.from({ length: size }, (_, i) => Math.cos(i) * 0.8);

  it.each(["ddim", "pndm"] as const)("leaves %s at sqrt(ᾱ_0)·x0 + sqrt(1-ᾱ_0)·ε, the noise it started from", (name) => {
    // With an exact ε the deterministic path keeps ε fixed; the last step re-noises to ᾱ_0 < 1.
    const s = schedule();
    const run = sampleWithOracle({ sampler: name, schedule: s, steps: 20, oracle: targetOracle(x0), size });
    const a0 = s.alphasCumprod[0]!;
    const eps = run.start.map((v, k) => (v - Math.sqrt(run.startAlpha) * x0[k]!) / Math.sqrt(1 - run.startAlpha));
    expect(maxError(run.latents, eps.map((e, k) => Math.sqrt(a0) * x0[k]! + Math.sqrt(1 - a0) * e))).toBeLessThan(1e-5);
  });

  it("reproduces the target with 1000 DDIM steps up to that final ᾱ_0", () => {
    const s = schedule({ steps_offset: 0 });
    const { latents } = sampleWithOracle({ sampler: "ddim", schedule: s, steps: 1000, oracle: targetOracle(x0), size });
    const a0 = s.alphasCumprod[0]!;
    // 1000 steps end exactly at t = 0; only the sqrt(1-ᾱ_0) ≈ 0.029 noise trace remains.
    expect(maxError(latents, x0)).toBeLessThan(4 * Math.sqrt(1 - a0));
    const exact = sampleWithOracle({ sampler: "ddim", schedule: schedule({ steps_offset: 0, set_alpha_to_one: true }), steps: 1000, oracle: targetOracle(x0), size });
    expect(maxError(exact.latents, x0)).toBeLessThan(1e-5);
  });
});

describe("deterministic samplers on the Gaussian oracle", () => {
  // Data N(0.3, 0.5²): the probability-flow ODE from the start ends at 0.3 + 0.5·z exactly.
  const size = 256;
  const mean = 0.3;
  const std = 0.5;
  const errorAt = (name: SamplerName, steps: number, overrides: Record<string, unknown> = {}) => {
    const s = schedule({ set_alpha_to_one: true, ...overrides });
    const run = sampleWithOracle({ sampler: name, schedule: s, steps, oracle: gaussianOracle(mean, std), size });
    const a = run.startAlpha;
    const af = overrides["final_sigmas_type"] === "sigma_min" ? s.alphasCumprod[0]! : 1;
    const expected = run.start.map((x) => {
      const z = (x - Math.sqrt(a) * mean) / Math.sqrt(a * std * std + 1 - a);
      return Math.sqrt(af) * mean + Math.sqrt(af * std * std + 1 - af) * z;
    });
    return { error: maxError(run.latents, expected), latents: run.latents };
  };

  it.each(["euler", "ddim", "pndm", "dpmpp_2m", "dpmpp_2m_karras"] as const)("%s converges to the exact ODE end point", (name) => {
    const coarse = errorAt(name, 10).error;
    const fine = errorAt(name, 160).error;
    expect(fine).toBeLessThan(0.03);
    expect(fine).toBeLessThan(coarse / 5);
  });

  it("Euler and DDIM are the same first-order method", () => {
    // DDIM is Euler's method on the σ-ODE (Karras et al.); with leading spacing their steps coincide.
    expect(maxError(errorAt("euler", 20).latents, errorAt("ddim", 20).latents)).toBeLessThan(1e-5);
    const ratio = errorAt("euler", 40).error / errorAt("euler", 160).error;
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(6);
  });

  it("DPM-Solver++(2M) with Karras sigmas converges at second order", () => {
    const options = { final_sigmas_type: "sigma_min" };
    const ratio = errorAt("dpmpp_2m_karras", 40, options).error / errorAt("dpmpp_2m_karras", 160, options).error;
    expect(ratio).toBeGreaterThan(8); // 4x steps: ~16x for order 2, ~4x for order 1
  });
});
