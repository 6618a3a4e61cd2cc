import { finalAlphaCumprod, type NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { linspace } from "../scheduler/numpy-math.ts";
import { checkSteps } from "../scheduler/timestep-spacing.ts";
import { noiseToAlpha, predictOriginal, type Sampler, type SamplerRun } from "./sampler.ts";

// Latent Consistency Model sampling (diffusers LCMScheduler;
// set_alpha_to_one default true, clip_sample default false). The distilled
// model was trained on `original_inference_steps` (50) evenly spaced
// timesteps k·i - 1 (k = 1000/50); a run picks N of them evenly. Each step
// maps the sample to its consistency estimate
//   denoised = c_out·x0 + c_skip·x  (boundary condition, σ_data = 0.5)
// and re-noises it to the next timestep with fresh noise from the image's
// own stream; the last step returns `denoised` itself.
//
// img2img follows diffusers' LCM pipelines: strength shortens the distilled
// schedule to its lowest trunc(50·s) timesteps and all N steps run there.

/** The schedule's steps for a strength, or a message saying why none fit. */
function lcmTimesteps(schedule: NoiseSchedule, run: SamplerRun): number[] {
  const original = schedule.originalInferenceSteps;
  const k = Math.floor(schedule.numTrainTimesteps / original);
  const available = Math.trunc(original * run.strength);
  if (available === 0) return [];
  const origin = Array.from({ length: available }, (_, i) => (i + 1) * k - 1).reverse();
  if (run.steps > original || Math.floor(origin.length / run.steps) < 1) {
    throw new RangeError(
      `lcm runs at most ${available} steps here (original_inference_steps ${original} x strength ${run.strength}); got ${run.steps}`,
    );
  }
  return linspace(0, origin.length, run.steps + 1)
    .slice(0, -1)
    .map((index) => origin[Math.floor(index)]!);
}

export function createLcmSampler(schedule: NoiseSchedule, run: SamplerRun): Sampler {
  checkSteps(schedule, run.steps);
  const timesteps = lcmTimesteps(schedule, run);
  const finalAlpha = finalAlphaCumprod(schedule, true);
  const clip = schedule.clipSample === true ? schedule.clipSampleRange : undefined;
  const sigmaData = 0.5;
  return {
    timesteps,
    initNoiseSigma: 1,
    addNoise: (clean, noise, i) => noiseToAlpha(clean, noise, schedule.alphasCumprod[timesteps[i]!]!),
    scaleModelInput: (latents) => latents,
    step(output, i, latents, noise) {
      const t = timesteps[i]!;
      const last = i === timesteps.length - 1;
      const prevT = last ? t : timesteps[i + 1]!;
      const alpha = schedule.alphasCumprod[t]!;
      const alphaPrev = prevT >= 0 ? schedule.alphasCumprod[prevT]! : finalAlpha;
      const scaled = t * schedule.timestepScaling;
      const cSkip = sigmaData ** 2 / (scaled ** 2 + sigmaData ** 2);
      const cOut = scaled / Math.sqrt(scaled ** 2 + sigmaData ** 2);
      const fresh = last ? undefined : noise.next(latents.length);
      const out = new Float32Array(latents.length);
      for (let k = 0; k < latents.length; k++) {
        let x0 = predictOriginal(schedule, output[k]!, latents[k]!, alpha);
        if (clip !== undefined) x0 = Math.min(clip, Math.max(-clip, x0));
        const denoised = cOut * x0 + cSkip * latents[k]!;
        out[k] = fresh ? Math.sqrt(alphaPrev) * denoised + Math.sqrt(1 - alphaPrev) * fresh[k]! : denoised;
      }
      return out;
    },
  };
}
