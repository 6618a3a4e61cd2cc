import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { linspace, roundHalfEven } from "../scheduler/numpy-math.ts";
import { karrasSigmas, sigmaToTimestep, trainingSigmas } from "../scheduler/sigmas.ts";
import { checkSteps, firstStepForStrength, trailingTimesteps } from "../scheduler/timestep-spacing.ts";
import type { Sampler, SamplerFactory, SamplerRun } from "./sampler.ts";

// DPM-Solver++(2M) (diffusers DPMSolverMultistepScheduler with its defaults:
// algorithm_type "dpmsolver++", solver_order 2, solver_type "midpoint",
// lower_order_final, final_sigmas_type "zero", spacing default "linspace").
// `dpmpp_2m` takes Karras sigmas when the config's use_karras_sigmas says so,
// `dpmpp_2m_karras` always.
// Latents stay in the VP form x = α_t·x0 + σ_t·ε with α_t = 1/sqrt(σ²+1),
// σ_t = σ·α_t; the solver works in λ = log(α_t/σ_t) on the model's x0
// estimates, second order from the previous step's estimate.

/** diffusers' own timestep spacing for DPM-Solver (N + 1 points, the last dropped). */
function dpmTimesteps(schedule: NoiseSchedule, steps: number): number[] {
  const n = schedule.numTrainTimesteps;
  const spacing = schedule.timestepSpacing ?? "linspace";
  if (spacing === "linspace") return linspace(0, n - 1, steps + 1).map(roundHalfEven).reverse().slice(0, -1);
  if (spacing === "leading") {
    const ratio = Math.floor(n / (steps + 1));
    return Array.from({ length: steps + 1 }, (_, i) => i * ratio).reverse().slice(0, -1).map((t) => t + schedule.stepsOffset);
  }
  return trailingTimesteps(n, steps);
}

function createDpmSolver(schedule: NoiseSchedule, run: SamplerRun, karras: boolean): Sampler {
  checkSteps(schedule, run.steps);
  const table = trainingSigmas(schedule);
  let timesteps = dpmTimesteps(schedule, run.steps);
  let sigmas: number[];
  if (karras || schedule.useKarrasSigmas) {
    sigmas = karrasSigmas(table[0]!, table[table.length - 1]!, run.steps);
    timesteps = sigmas.map((s) => roundHalfEven(sigmaToTimestep(s, table)));
  } else {
    sigmas = timesteps.map((t) => table[t]!);
  }
  const last = schedule.finalSigmasType === "sigma_min" ? table[0]! : 0;
  sigmas = [...sigmas, last].map(Math.fround);
  const total = run.steps;
  const begin = firstStepForStrength(total, run.strength);
  const alphaSigma = (sigma: number) => {
    const alpha = 1 / Math.sqrt(sigma * sigma + 1);
    return { alpha, sigma: sigma * alpha, lambda: Math.log(alpha) - Math.log(sigma * alpha) };
  };

  let previous: Float32Array | undefined; // x0 estimate of the previous step
  let lowerOrderNums = 0;
  return {
    timesteps: timesteps.slice(begin),
    sigmas: sigmas.slice(begin),
    initNoiseSigma: 1,
    addNoise(clean, noise, i) {
      const { alpha, sigma } = alphaSigma(sigmas[begin + i]!);
      return clean.map((x, k) => alpha * x + sigma * noise[k]!);
    },
    scaleModelInput: (latents) => latents,
    step(output, i, latents) {
      const g = begin + i;
      const s0 = alphaSigma(sigmas[g]!);
      const t = alphaSigma(sigmas[g + 1]!);
      const x0 = new Float32Array(latents.length);
      for (let k = 0; k < latents.length; k++) {
        x0[k] = schedule.predictionType === "epsilon" ? (latents[k]! - s0.sigma * output[k]!) / s0.alpha : s0.alpha * latents[k]! - s0.sigma * output[k]!;
      }
      // Improves stability for few steps; with a zero final σ the last step is always first order.
      const lowerOrderFinal = g === total - 1 && (total < 15 || schedule.finalSigmasType !== "sigma_min");
      const h = t.lambda - s0.lambda;
      const ratio = t.sigma / s0.sigma;
      const decay = t.alpha * (Math.exp(-h) - 1);
      const out = new Float32Array(latents.length);
      if (previous === undefined || lowerOrderNums < 1 || lowerOrderFinal) {
        for (let k = 0; k < latents.length; k++) out[k] = ratio * latents[k]! - decay * x0[k]!;
      } else {
        const s1 = alphaSigma(sigmas[g - 1]!);
        const r0 = (s0.lambda - s1.lambda) / h;
        for (let k = 0; k < latents.length; k++) {
          const d1 = (x0[k]! - previous[k]!) / r0;
          out[k] = ratio * latents[k]! - decay * x0[k]! - 0.5 * decay * d1;
        }
      }
      previous = x0;
      if (lowerOrderNums < 2) lowerOrderNums++;
      return out;
    },
  };
}

export const createDpmSolverSampler: SamplerFactory = (schedule, run) => createDpmSolver(schedule, run, false);
export const createDpmSolverKarrasSampler: SamplerFactory = (schedule, run) => createDpmSolver(schedule, run, true);
