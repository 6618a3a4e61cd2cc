import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";

/** Where ancestral and consistency samplers take fresh noise: the item's own seeded stream. */
export interface NoiseSource {
  next(count: number): Float32Array;
}

/** One run's request to a sampler. */
export interface SamplerRun {
  /** the steps the user asked for */
  steps: number;
  /** img2img/inpainting strength in [0,1]; 1 (text-to-image) denoises from pure noise */
  strength: number;
}

/**
 * One denoising algorithm over a model's noise schedule, made per image (it
 * holds that image's multistep history) and driven as:
 *   latents = noise * initNoiseSigma          (text-to-image)
 *   latents = addNoise(imageLatents, noise, 0) (img2img)
 *   for each call i: out = unet(scaleModelInput(latents, i), timesteps[i]); latents = step(out, i, latents, noise)
 * A sampler whose strength leaves nothing to denoise has no timesteps.
 * Adding a sampler means one file implementing this and one registry entry.
 */
export interface Sampler {
  /** UNet timestep of each call, in order (fractional for Euler with linspace spacing) */
  readonly timesteps: readonly number[];
  /** σ-parameterised samplers (Euler, Euler a, DPM++): σ per call plus the σ after the last, as diffusers' `scheduler.sigmas` */
  readonly sigmas?: readonly number[];
  /** scale of the unit-variance starting noise for text-to-image */
  readonly initNoiseSigma: number;
  /** `clean` latents noised to the level the UNet expects at call `index` */
  addNoise(clean: Float32Array, noise: Float32Array, index: number): Float32Array;
  /** the latents as the UNet expects them at call `index` */
  scaleModelInput(latents: Float32Array, index: number): Float32Array;
  /** the latents after call `index`, given the UNet's (guided) output */
  step(modelOutput: Float32Array, index: number, latents: Float32Array, noise: NoiseSource): Float32Array;
}

export type SamplerFactory = (schedule: NoiseSchedule, run: SamplerRun) => Sampler;

/** x0 and ε from a model output in the VP parameterisation x = sqrt(ᾱ)·x0 + sqrt(1-ᾱ)·ε. */
export function predictOriginal(schedule: NoiseSchedule, output: number, sample: number, alphaProd: number): number {
  return schedule.predictionType === "epsilon"
    ? (sample - Math.sqrt(1 - alphaProd) * output) / Math.sqrt(alphaProd)
    : Math.sqrt(alphaProd) * sample - Math.sqrt(1 - alphaProd) * output;
}

/** DDPM forward process: sqrt(ᾱ_t)·clean + sqrt(1-ᾱ_t)·noise. */
export function noiseToAlpha(clean: Float32Array, noise: Float32Array, alphaProd: number): Float32Array {
  const a = Math.sqrt(alphaProd);
  const b = Math.sqrt(1 - alphaProd);
  const out = new Float32Array(clean.length);
  for (let k = 0; k < clean.length; k++) out[k] = a * clean[k]! + b * noise[k]!;
  return out;
}
