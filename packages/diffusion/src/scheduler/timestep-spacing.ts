import { linspace, roundHalfEven } from "./numpy-math.ts";
import type { NoiseSchedule, TimestepSpacing } from "./noise-schedule.ts";

// How diffusers picks the UNet timesteps of an N-step run ("Common Diffusion
// Noise Schedules and Sample Steps are Flawed", table 2). Euler, DDIM and
// PNDM share these formulas; DPM-Solver and LCM have their own.

export function checkSteps(schedule: NoiseSchedule, steps: number): void {
  const n = schedule.numTrainTimesteps;
  if (!Number.isInteger(steps) || steps < 1 || steps > n) throw new RangeError(`steps must be an integer between 1 and ${n} (got ${steps})`);
}

/**
 * Timesteps of an N-step run, highest first. "linspace" values are left
 * fractional (Euler keeps them so; DDIM and PNDM round them).
 */
export function spacedTimesteps(schedule: NoiseSchedule, steps: number, spacing: TimestepSpacing): number[] {
  checkSteps(schedule, steps);
  const n = schedule.numTrainTimesteps;
  let timesteps: number[];
  if (spacing === "linspace") {
    timesteps = linspace(0, n - 1, steps).reverse();
  } else if (spacing === "leading") {
    const ratio = Math.floor(n / steps);
    timesteps = Array.from({ length: steps }, (_, i) => i * ratio + schedule.stepsOffset).reverse();
  } else {
    timesteps = trailingTimesteps(n, steps);
  }
  const outOfRange = timesteps.find((t) => t < 0 || t > n - 1);
  if (outOfRange !== undefined) throw new RangeError(`${steps} steps with steps_offset ${schedule.stepsOffset} reach timestep ${outOfRange}, outside 0..${n - 1}`);
  return timesteps;
}

/**
 * "trailing" spacing: round(n - i·n/N) - 1 for i = 0 .. N-1. diffusers
 * writes it as np.arange(n, 0, -n/N), whose length is computed in floating
 * point: at N = 61, 103, 121, 122, ... (n = 1000) the quotient lands just
 * above N and numpy adds an (N+1)th value, timestep -1, which diffusers then
 * runs as an extra step. Exactly N values are taken here; the first N agree
 * with diffusers' list.
 */
export function trailingTimesteps(numTrainTimesteps: number, steps: number): number[] {
  const ratio = numTrainTimesteps / steps;
  return Array.from({ length: steps }, (_, i) => roundHalfEven(numTrainTimesteps - i * ratio) - 1);
}

/** The same, rounded to integers as DDIM and PNDM do. */
export function integerTimesteps(schedule: NoiseSchedule, steps: number, spacing: TimestepSpacing): number[] {
  return spacedTimesteps(schedule, steps, spacing).map(roundHalfEven);
}

/**
 * diffusers' img2img rule: with strength s only the last trunc(N·s) of the
 * N steps run, starting from the image noised to that step's level.
 * Returns the index of the first step that runs (N when none does).
 */
export function firstStepForStrength(steps: number, strength: number): number {
  const denoising = Math.min(Math.trunc(steps * strength), steps);
  return Math.max(steps - denoising, 0);
}
