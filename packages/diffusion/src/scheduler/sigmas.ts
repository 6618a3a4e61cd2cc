import { interpIndex } from "./numpy-math.ts";
import type { NoiseSchedule } from "./noise-schedule.ts";

// The σ (variance-exploding) view of a schedule used by the k-diffusion
// style samplers: σ_t = sqrt((1 - ᾱ_t) / ᾱ_t), with diffusers' helpers for
// Karras et al.'s schedule and for mapping a σ back to a (fractional) t.

/** σ_t for every training timestep, ascending in t. */
export function trainingSigmas(schedule: NoiseSchedule): Float64Array {
  return schedule.alphasCumprod.map((a) => Math.sqrt((1 - a) / a));
}

/** σ at a possibly fractional timestep, interpolated linearly in σ as np.interp does. */
export function sigmaAt(sigmas: Float64Array, t: number): number {
  return interpIndex(t, sigmas);
}

/** Karras et al. (2022) eq. 5 with ρ = 7, from sigmaMax down to sigmaMin in `steps` values. */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, steps: number): number[] {
  const rho = 7;
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  return Array.from({ length: steps }, (_, i) => {
    const ramp = steps === 1 ? 0 : i / (steps - 1);
    return (maxInv + ramp * (minInv - maxInv)) ** rho;
  });
}

/** diffusers `_sigma_to_t`: interpolates log σ between the two neighbouring training timesteps. */
export function sigmaToTimestep(sigma: number, sigmas: Float64Array): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  let below = 0;
  for (const s of sigmas) if (Math.log(s) <= logSigma) below++;
  const low = Math.min(Math.max(below - 1, 0), sigmas.length - 2);
  const lowLog = Math.log(sigmas[low]!);
  const highLog = Math.log(sigmas[low + 1]!);
  const w = Math.min(1, Math.max(0, (lowLog - logSigma) / (lowLog - highLog)));
  return (1 - w) * low + w * (low + 1);
}
