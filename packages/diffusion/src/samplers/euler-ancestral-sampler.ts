import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { addSigmaNoise, eulerOriginal, eulerSchedule, scaleBySigma } from "./euler-schedule.ts";
import type { Sampler, SamplerRun } from "./sampler.ts";

/**
 * Euler ancestral (diffusers EulerAncestralDiscreteScheduler, A1111 "Euler
 * a"): each step goes down to σ_down with Euler, then adds fresh noise of
 * scale σ_up, where σ_up² + σ_down² = σ_next² and
 * σ_up = sqrt(σ_next² (σ² - σ_next²) / σ²). The noise comes from the image's
 * own seeded stream, one latent-sized draw per step (the last step's σ_up is
 * 0, but it still draws, so step k always reads the same stream position).
 */
export function createEulerAncestralSampler(schedule: NoiseSchedule, run: SamplerRun): Sampler {
  const { timesteps, sigmas, initNoiseSigma } = eulerSchedule(schedule, run, true);
  return {
    timesteps,
    sigmas,
    initNoiseSigma,
    addNoise: (clean, noise, i) => addSigmaNoise(clean, noise, sigmas[i]!),
    scaleModelInput: (latents, i) => scaleBySigma(latents, sigmas[i]!),
    step(modelOutput, i, latents, noise) {
      const sigma = sigmas[i]!;
      const sigmaNext = sigmas[i + 1]!;
      const sigmaUp = Math.sqrt((sigmaNext ** 2 * (sigma ** 2 - sigmaNext ** 2)) / sigma ** 2);
      const sigmaDown = Math.sqrt(Math.max(0, sigmaNext ** 2 - sigmaUp ** 2));
      const dt = sigmaDown - sigma;
      const fresh = noise.next(latents.length);
      const out = new Float32Array(latents.length);
      for (let k = 0; k < latents.length; k++) {
        const x = latents[k]!;
        const x0 = eulerOriginal(schedule.predictionType, modelOutput[k]!, x, sigma);
        out[k] = x + ((x - x0) / sigma) * dt + fresh[k]! * sigmaUp;
      }
      return out;
    },
  };
}
