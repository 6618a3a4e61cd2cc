import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSchedulerConfig } from "../scheduler/noise-schedule.ts";
import { createSampler, type SamplerName } from "./sampler-registry.ts";

// Timestep and σ lists printed by diffusers' own scheduler classes
// (goldens/diffusers_schedules.py runs them unmodified on torch), so these
// checks share nothing with the implementation: not its ᾱ table, not its
// spacing formulas.

interface Case {
  scheduler: "PNDMScheduler" | "DPMSolverMultistepScheduler" | "EulerDiscreteScheduler";
  steps: number;
  config: Record<string, unknown>;
  timesteps: number[];
  sigmas?: number[];
}
const goldens = JSON.parse(readFileSync(new URL("../../goldens/diffusers-schedules.json", import.meta.url), "utf8")) as { source: string; cases: Case[] };

// The config diffusers_schedules.py starts from: Stable Diffusion 1.5's.
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

const samplerFor = (c: Case): SamplerName =>
  c.scheduler === "PNDMScheduler" ? "pndm" : c.scheduler === "EulerDiscreteScheduler" ? "euler" : "dpmpp_2m";

/** diffusers' list without the extra timestep -1 that np.arange's float length adds at some trailing step counts. */
function intended(c: Case): { timesteps: number[]; sigmas: number[] | undefined } {
  const extra = c.timesteps.length === c.steps + 1 && c.timesteps[c.steps] === -1;
  if (!extra) return { timesteps: c.timesteps, sigmas: c.sigmas };
  return { timesteps: c.timesteps.slice(0, -1), sigmas: c.sigmas && [...c.sigmas.slice(0, -2), c.sigmas[c.sigmas.length - 1]!] };
}

describe(`schedules against ${goldens.source}`, () => {
  it("has the cases this file was written for", () => {
    expect(goldens.cases.filter((c) => c.scheduler === "PNDMScheduler" && c.config["skip_prk_steps"] === false).length).toBeGreaterThanOrEqual(4);
    // The step counts where diffusers' trailing list gains timestep -1 (the dpmpp_2m NaN of old).
    for (const steps of [61, 103, 121, 122]) {
      const c = goldens.cases.find((k) => k.scheduler === "DPMSolverMultistepScheduler" && k.steps === steps)!;
      expect(c.timesteps.length).toBe(steps + 1);
      expect(c.timesteps[steps]).toBe(-1);
    }
  });

  it.each(goldens.cases.map((c) => [`${c.scheduler} ${c.steps} steps ${JSON.stringify(c.config)}`, c] as const))("%s", (_, c) => {
    const sampler = createSampler(samplerFor(c), parseSchedulerConfig({ ...SD15, ...c.config }, "golden"), c.steps);
    const want = intended(c);
    expect(sampler.timesteps.map((t) => Math.round(t * 1e4) / 1e4)).toEqual(want.timesteps.map((t) => Math.round(t * 1e4) / 1e4));
    if (want.sigmas) {
      const sigmas = sampler.sigmas!;
      expect(sigmas.length).toBe(want.sigmas.length);
      // diffusers computes ᾱ in float32 and the σ here come from a float64 table. 1 - ᾱ_0 = 0.00085 keeps
      // only ~4 significant digits in float32, so σ near σ_min (Karras' end point) is ~1e-5 relative apart;
      // elsewhere ~3e-6. A wrong spacing or formula is off by far more.
      sigmas.forEach((s, i) => expect(Math.abs(s - want.sigmas![i]!), `σ[${i}]`).toBeLessThanOrEqual(2e-5 * want.sigmas![i]!));
    }
  });
});
