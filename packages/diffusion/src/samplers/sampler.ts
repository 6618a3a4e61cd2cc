import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";

/**
 * One denoising algorithm over a model's noise schedule. A sampler is made
 * per render (it may hold per-run state) and is driven as:
 *   latents = noise * initNoiseSigma
 *   for each i: out = unet(scaleModelInput(latents, i), timesteps[i]); latents = step(out, i, latents)
 * Adding a sampler means one file implementing this and one registry entry.
 */
export interface Sampler {
  /** UNet timestep for each step, in order */
  readonly timesteps: readonly number[];
  /** scale of the unit-variance starting noise */
  readonly initNoiseSigma: number;
  /** the latents as the UNet expects them at step `stepIndex` */
  scaleModelInput(latents: Float32Array, stepIndex: number): Float32Array;
  /** the latents after step `stepIndex`, given the UNet's (guided) output */
  step(modelOutput: Float32Array, stepIndex: number, latents: Float32Array): Float32Array;
}

export type SamplerFactory = (schedule: NoiseSchedule, steps: number) => Sampler;
