import { GaussianStream } from "../noise/gaussian-noise.ts";
import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { createSampler, type SamplerName } from "../samplers/sampler-registry.ts";

// Models whose exact answer is known, to check samplers against (tests only).
//
// targetOracle: all data is one picture x0, so the exact ε at any (x, t) is
// (x - sqrt(ᾱ)·x0) / sqrt(1-ᾱ); every correct sampler ends on x0 (the demo
// UNet is this oracle as an ONNX graph).
// gaussianOracle: data is N(μ, s²) per value, so E[ε | x_t] is linear in x_t
// and the probability-flow ODE has a closed form: z = (x_t - sqrt(ᾱ)μ) /
// sqrt(ᾱs² + 1 - ᾱ) stays constant, ending at μ + s·z. Deterministic
// samplers must converge to that end point as steps grow, at their order.

export type Oracle = (input: Float32Array, alphaProd: number) => { eps: Float32Array; x0: Float32Array };

export function targetOracle(target: Float32Array): Oracle {
  return (input, a) => ({ eps: input.map((x, k) => (x - Math.sqrt(a) * target[k]!) / Math.sqrt(1 - a)), x0: target });
}

export function gaussianOracle(mean: number, std: number): Oracle {
  return (input, a) => {
    const eps = input.map((x) => (Math.sqrt(1 - a) * (x - Math.sqrt(a) * mean)) / (a * std * std + 1 - a));
    return { eps, x0: input.map((x, k) => (x - Math.sqrt(1 - a) * eps[k]!) / Math.sqrt(a)) };
  };
}

export interface OracleRun {
  sampler: SamplerName;
  schedule: NoiseSchedule;
  steps: number;
  oracle: Oracle;
  size: number;
  seed?: number;
  /** img2img: start from these clean latents noised to the first kept step */
  initLatents?: Float32Array;
  strength?: number;
}

/** Samples like the pipeline does; returns the final latents and the VP-standardised start. */
export function sampleWithOracle(run: OracleRun): { latents: Float32Array; calls: number; start: Float32Array; startAlpha: number } {
  const { schedule } = run;
  const sampler = createSampler(run.sampler, schedule, run.steps, run.strength ?? 1);
  const stream = new GaussianStream(run.seed ?? 1);
  const noise = stream.next(run.size);
  let latents = run.initLatents ? sampler.addNoise(run.initLatents, noise, 0) : noise.map((x) => x * sampler.initNoiseSigma);
  // The model sees VP latents: for σ-samplers the scaled input is x/sqrt(σ²+1) = sqrt(ᾱ)·(x0 + σ·ε).
  const start = sampler.scaleModelInput(latents, 0);
  const startAlpha = alphaAt(schedule, sampler.timesteps[0] ?? 0);
  sampler.timesteps.forEach((t, i) => {
    const input = sampler.scaleModelInput(latents, i);
    const a = alphaAt(schedule, t);
    const { eps, x0 } = run.oracle(input, a);
    const out = schedule.predictionType === "epsilon" ? eps : eps.map((e, k) => Math.sqrt(a) * e - Math.sqrt(1 - a) * x0[k]!);
    latents = sampler.step(out, i, latents, stream);
  });
  return { latents, calls: sampler.timesteps.length, start, startAlpha };
}

/** ᾱ at a possibly fractional timestep, through σ interpolated as the samplers do. */
function alphaAt(schedule: NoiseSchedule, t: number): number {
  const j = Math.min(Math.floor(t), schedule.numTrainTimesteps - 2);
  const sigma = (i: number) => Math.sqrt((1 - schedule.alphasCumprod[i]!) / schedule.alphasCumprod[i]!);
  const s = sigma(j) + (t - j) * (sigma(j + 1) - sigma(j));
  return 1 / (1 + s * s);
}
