import { inferenceTimesteps, type NoiseSchedule } from "../scheduler/noise-schedule.ts";
import type { Sampler } from "./sampler.ts";

/**
 * DDIM with eta = 0 (diffusers DDIMScheduler): deterministic. Each step
 * estimates x0 and ε from the UNet output and re-noises x0 to the previous
 * timestep's ᾱ: x_prev = sqrt(ᾱ_prev)·x0 + sqrt(1-ᾱ_prev)·ε. After the last
 * step ᾱ_prev is finalAlphaCumprod, so with set_alpha_to_one=false a trace
 * of ε (scale sqrt(1-ᾱ_0)) stays in the result, exactly as in diffusers.
 */
export function createDdimSampler(schedule: NoiseSchedule, steps: number): Sampler {
  const timesteps = inferenceTimesteps(schedule, steps);
  const stride = Math.floor(schedule.numTrainTimesteps / steps);
  const clip = schedule.clipSampleRange;
  return {
    timesteps,
    initNoiseSigma: 1,
    scaleModelInput: (latents) => latents,
    step(modelOutput, i, latents) {
      const t = timesteps[i]!;
      const alpha = schedule.alphasCumprod[t]!;
      const prev = t - stride;
      const alphaPrev = prev >= 0 ? schedule.alphasCumprod[prev]! : schedule.finalAlphaCumprod;
      const sa = Math.sqrt(alpha);
      const s1a = Math.sqrt(1 - alpha);
      const saPrev = Math.sqrt(alphaPrev);
      const s1aPrev = Math.sqrt(1 - alphaPrev);
      const out = new Float32Array(latents.length);
      for (let k = 0; k < latents.length; k++) {
        const x = latents[k]!;
        const m = modelOutput[k]!;
        let x0 = schedule.predictionType === "epsilon" ? (x - s1a * m) / sa : sa * x - s1a * m;
        let eps = schedule.predictionType === "epsilon" ? m : sa * m + s1a * x;
        if (clip !== undefined) {
          x0 = Math.min(clip, Math.max(-clip, x0));
          eps = (x - sa * x0) / s1a;
        }
        out[k] = saPrev * x0 + s1aPrev * eps;
      }
      return out;
    },
  };
}
