import { finalAlphaCumprod, type NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { firstStepForStrength, integerTimesteps } from "../scheduler/timestep-spacing.ts";
import { noiseToAlpha, predictOriginal, type Sampler, type SamplerRun } from "./sampler.ts";

/**
 * DDIM with eta = 0 (diffusers DDIMScheduler; spacing default "leading",
 * set_alpha_to_one and clip_sample default true): deterministic. Each step
 * estimates x0 and ε from the UNet output and re-noises x0 to the previous
 * timestep's ᾱ: x_prev = sqrt(ᾱ_prev)·x0 + sqrt(1-ᾱ_prev)·ε, where the
 * previous timestep is t - num_train_timesteps // steps whatever the
 * spacing (as diffusers does). After the last step ᾱ_prev is 1, or ᾱ_0 with
 * set_alpha_to_one=false (SD), which leaves a trace of ε (scale sqrt(1-ᾱ_0)).
 */
export function createDdimSampler(schedule: NoiseSchedule, run: SamplerRun): Sampler {
  const all = integerTimesteps(schedule, run.steps, schedule.timestepSpacing ?? "leading");
  const timesteps = all.slice(firstStepForStrength(run.steps, run.strength));
  const stride = Math.floor(schedule.numTrainTimesteps / run.steps);
  const finalAlpha = finalAlphaCumprod(schedule, true);
  const clip = (schedule.clipSample ?? true) ? schedule.clipSampleRange : undefined;
  const alphaAt = (t: number) => schedule.alphasCumprod[t]!;
  return {
    timesteps,
    initNoiseSigma: 1,
    addNoise: (clean, noise, i) => noiseToAlpha(clean, noise, alphaAt(timesteps[i]!)),
    scaleModelInput: (latents) => latents,
    step(modelOutput, i, latents) {
      const t = timesteps[i]!;
      const alpha = alphaAt(t);
      const prev = t - stride;
      const alphaPrev = prev >= 0 ? alphaAt(prev) : finalAlpha;
      const sa = Math.sqrt(alpha);
      const s1a = Math.sqrt(1 - alpha);
      const saPrev = Math.sqrt(alphaPrev);
      const s1aPrev = Math.sqrt(1 - alphaPrev);
      const out = new Float32Array(latents.length);
      for (let k = 0; k < latents.length; k++) {
        const x = latents[k]!;
        const m = modelOutput[k]!;
        let x0 = predictOriginal(schedule, m, x, alpha);
        const eps = schedule.predictionType === "epsilon" ? m : sa * m + s1a * x;
        // diffusers clamps x0 only; ε stays the model's (use_clipped_model_output is off in its pipelines).
        if (clip !== undefined) x0 = Math.min(clip, Math.max(-clip, x0));
        out[k] = saPrev * x0 + s1aPrev * eps;
      }
      return out;
    },
  };
}
