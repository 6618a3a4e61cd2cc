import { inferenceTimesteps, type NoiseSchedule } from "../scheduler/noise-schedule.ts";
import type { Sampler } from "./sampler.ts";

/**
 * Euler discrete (diffusers EulerDiscreteScheduler, no churn): latents live
 * in the variance-exploding σ-parameterisation of Karras et al. with
 * σ_t = sqrt((1-ᾱ_t)/ᾱ_t), the UNet sees x/sqrt(σ²+1), and each step moves
 * along the estimated direction (x - x0)/σ to the next σ, ending at σ = 0.
 */
export function createEulerSampler(schedule: NoiseSchedule, steps: number): Sampler {
  const timesteps = inferenceTimesteps(schedule, steps);
  const sigmas = [...timesteps.map((t) => Math.sqrt((1 - schedule.alphasCumprod[t]!) / schedule.alphasCumprod[t]!)), 0];
  const sigmaMax = Math.max(...sigmas);
  return {
    timesteps,
    // diffusers: trailing/linspace spacing start at σ_max, leading at sqrt(σ_max²+1)
    initNoiseSigma: schedule.timestepSpacing === "leading" ? Math.sqrt(sigmaMax * sigmaMax + 1) : sigmaMax,
    scaleModelInput(latents, i) {
      const scale = 1 / Math.sqrt(sigmas[i]! ** 2 + 1);
      return latents.map((x) => x * scale);
    },
    step(modelOutput, i, latents) {
      const sigma = sigmas[i]!;
      const dt = sigmas[i + 1]! - sigma;
      const out = new Float32Array(latents.length);
      for (let k = 0; k < latents.length; k++) {
        const x = latents[k]!;
        const m = modelOutput[k]!;
        const x0 =
          schedule.predictionType === "epsilon"
            ? x - sigma * m
            : m * (-sigma / Math.sqrt(sigma * sigma + 1)) + x / (sigma * sigma + 1);
        out[k] = x + ((x - x0) / sigma) * dt;
      }
      return out;
    },
  };
}
