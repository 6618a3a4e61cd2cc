import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { karrasSigmas, sigmaAt, sigmaToTimestep, trainingSigmas } from "../scheduler/sigmas.ts";
import { firstStepForStrength, spacedTimesteps } from "../scheduler/timestep-spacing.ts";
import type { SamplerRun } from "./sampler.ts";

/** The σ schedule shared by Euler and Euler ancestral, cut to the steps a run's strength keeps. */
export interface EulerSchedule {
  /** UNet timestep per call */
  timesteps: number[];
  /** σ per call plus the final σ after the last call */
  sigmas: number[];
  initNoiseSigma: number;
}

/**
 * diffusers EulerDiscreteScheduler.set_timesteps (interpolation "linear"):
 * spacing default "linspace", σ interpolated at each timestep, optional
 * Karras σ (timesteps then mapped back from σ), final σ 0 or σ_min, all
 * stored as float32 like diffusers' tensors. Euler ancestral is the same
 * without Karras or final-σ options (`ancestral`).
 */
export function eulerSchedule(schedule: NoiseSchedule, run: SamplerRun, ancestral: boolean): EulerSchedule {
  const spacing = schedule.timestepSpacing ?? "linspace";
  const table = trainingSigmas(schedule);
  let timesteps = spacedTimesteps(schedule, run.steps, spacing).map(Math.fround);
  let sigmas = timesteps.map((t) => sigmaAt(table, t));
  if (!ancestral && schedule.useKarrasSigmas) {
    sigmas = karrasSigmas(sigmas[sigmas.length - 1]!, sigmas[0]!, run.steps);
    timesteps = sigmas.map((s) => Math.fround(sigmaToTimestep(s, table)));
  }
  const last = !ancestral && schedule.finalSigmasType === "sigma_min" ? table[0]! : 0;
  sigmas = [...sigmas, last].map(Math.fround);
  const sigmaMax = Math.max(...sigmas);
  // diffusers: "linspace" and "trailing" start at σ_max, "leading" at sqrt(σ_max² + 1).
  const initNoiseSigma = spacing === "leading" ? Math.sqrt(sigmaMax * sigmaMax + 1) : sigmaMax;
  const begin = firstStepForStrength(run.steps, run.strength);
  return { timesteps: timesteps.slice(begin), sigmas: sigmas.slice(begin), initNoiseSigma };
}

/** x0 estimate of the σ-parameterised samplers (diffusers' c_out / c_skip for v-prediction). */
export function eulerOriginal(predictionType: NoiseSchedule["predictionType"], output: number, sample: number, sigma: number): number {
  return predictionType === "epsilon" ? sample - sigma * output : output * (-sigma / Math.sqrt(sigma * sigma + 1)) + sample / (sigma * sigma + 1);
}

/** clean + σ·noise: the σ-parameterisation's forward process. */
export function addSigmaNoise(clean: Float32Array, noise: Float32Array, sigma: number): Float32Array {
  const out = new Float32Array(clean.length);
  for (let k = 0; k < clean.length; k++) out[k] = clean[k]! + noise[k]! * sigma;
  return out;
}

/** latents / sqrt(σ² + 1): what the UNet expects from a σ-parameterised sample. */
export function scaleBySigma(latents: Float32Array, sigma: number): Float32Array {
  const scale = 1 / Math.sqrt(sigma * sigma + 1);
  const out = new Float32Array(latents.length);
  for (let k = 0; k < latents.length; k++) out[k] = latents[k]! * scale;
  return out;
}
