import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { addSigmaNoise, eulerOriginal, eulerSchedule, scaleBySigma } from "./euler-schedule.ts";
import type { Sampler, SamplerRun } from "./sampler.ts";

/**
 * Euler discrete (diffusers EulerDiscreteScheduler, no churn): latents live
 * in the variance-exploding σ-parameterisation of Karras et al., the UNet
 * sees x/sqrt(σ²+1), and each step moves along the estimated direction
 * (x - x0)/σ to the next σ, ending at σ = 0.
 */
export function createEulerSampler(schedule: NoiseSchedule, run: SamplerRun): Sampler {
  const { timesteps, sigmas, initNoiseSigma } = eulerSchedule(schedule, run, false);
  return {
    timesteps,
    sigmas,
    initNoiseSigma,
    addNoise: (clean, noise, i) => addSigmaNoise(clean, noise, sigmas[i]!),
    scaleModelInput: (latents, i) => scaleBySigma(latents, sigmas[i]!),
    step(modelOutput, i, latents) {
      const sigma = sigmas[i]!;
      const dt = sigmas[i + 1]! - sigma;
      const out = new Float32Array(latents.length);
      for (let k = 0; k < latents.length; k++) {
        const x = latents[k]!;
        const x0 = eulerOriginal(schedule.predictionType, modelOutput[k]!, x, sigma);
        out[k] = x + ((x - x0) / sigma) * dt;
      }
      return out;
    },
  };
}
