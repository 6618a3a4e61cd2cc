import { roundHalfEven } from "../scheduler/numpy-math.ts";
import type { Sampler } from "./sampler.ts";

// A two-stage render (SDXL base + refiner) splits one schedule at a
// fraction of the training timesteps, as diffusers' denoising_end /
// denoising_start do:
//   cutoff = int(round(T - fraction·T))
//   base:    the calls whose timestep is >= cutoff
//   refiner: the calls whose timestep is < cutoff, taken from the end of its own full schedule
// Both stages build the full N-step sampler and run a slice of it, so each
// call sees the σ/ᾱ it would see in a one-stage run; a multistep sampler
// (DPM++ 2M) starts the refiner with a first-order step, as a fresh
// diffusers scheduler does.

export function splitCutoff(fraction: number, numTrainTimesteps: number): number {
  return roundHalfEven(numTrainTimesteps - fraction * numTrainTimesteps);
}

/** The first `count` calls of `sampler`. */
export function samplerHead(sampler: Sampler, count: number): Sampler {
  return {
    timesteps: sampler.timesteps.slice(0, count),
    ...(sampler.sigmas ? { sigmas: sampler.sigmas.slice(0, count + 1) } : {}),
    initNoiseSigma: sampler.initNoiseSigma,
    addNoise: (clean, noise, i) => sampler.addNoise(clean, noise, i),
    scaleModelInput: (latents, i) => sampler.scaleModelInput(latents, i),
    step: (output, i, latents, noise) => sampler.step(output, i, latents, noise),
  };
}

/** The calls of `sampler` from index `start` on, re-indexed from 0. */
export function samplerTail(sampler: Sampler, start: number): Sampler {
  return {
    timesteps: sampler.timesteps.slice(start),
    ...(sampler.sigmas ? { sigmas: sampler.sigmas.slice(start) } : {}),
    initNoiseSigma: sampler.initNoiseSigma,
    addNoise: (clean, noise, i) => sampler.addNoise(clean, noise, start + i),
    scaleModelInput: (latents, i) => sampler.scaleModelInput(latents, start + i),
    step: (output, i, latents, noise) => sampler.step(output, start + i, latents, noise),
  };
}

/** The base's share: calls at timesteps >= cutoff. */
export function baseStage(sampler: Sampler, cutoff: number): Sampler {
  return samplerHead(sampler, sampler.timesteps.filter((t) => t >= cutoff).length);
}

/** The refiner's share: the last count(t < cutoff) calls. */
export function refinerStage(sampler: Sampler, cutoff: number): Sampler {
  return samplerTail(sampler, sampler.timesteps.length - sampler.timesteps.filter((t) => t < cutoff).length);
}
