import { finalAlphaCumprod, type NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { firstStepForStrength, integerTimesteps } from "../scheduler/timestep-spacing.ts";
import { noiseToAlpha, type Sampler, type SamplerRun } from "./sampler.ts";

// PNDM (diffusers PNDMScheduler; spacing default "leading",
// set_alpha_to_one and skip_prk_steps default false). Stable Diffusion
// configs set skip_prk_steps, which makes it PLMS: linear multistep on ε with
// one extra UNet call at the start (a Heun-like warm-up at the second
// timestep), so N steps take N + 1 calls. Without it the history is warmed
// up by Runge–Kutta over the pndm_order = 4 highest timesteps: three RK4
// steps of four calls each (12 calls at whole and half steps), then PLMS
// from the fourth timestep down, N + 8 calls in all; fewer than 4 steps
// cannot be run (diffusers fails on them too).
//
// img2img: diffusers slices its call list at the strength's first step,
// which can land inside the warm-up and then feed the UNet a sample labelled
// with the wrong timestep. Here the warm-up is rebuilt on the kept steps, so
// a cut schedule runs exactly like a full one that started there.

const PNDM_ORDER = 4;

/** Call list of diffusers' set_timesteps for ascending step timesteps `kept`. */
function callTimesteps(kept: number[], skipPrk: boolean, halfStride: number): { prk: number[]; plms: number[] } {
  if (skipPrk) return { prk: [], plms: [...kept.slice(0, -1), ...kept.slice(-2, -1), ...kept.slice(-1)].reverse() };
  if (kept.length < PNDM_ORDER) throw new RangeError(`pndm without skip_prk_steps needs at least ${PNDM_ORDER} denoising steps (got ${kept.length})`);
  // prk = (top4.repeat(2) + tile([0, stride // 2], 4))[:-1].repeat(2)[1:-1], reversed
  const withHalves = kept.slice(-PNDM_ORDER).flatMap((t) => [t, t + halfStride]);
  const prk = withHalves.slice(0, -1).flatMap((t) => [t, t]).slice(1, -1).reverse();
  return { prk, plms: kept.slice(0, -3).reverse() };
}

export function createPndmSampler(schedule: NoiseSchedule, run: SamplerRun): Sampler {
  const stride = Math.floor(schedule.numTrainTimesteps / run.steps);
  const ascending = integerTimesteps(schedule, run.steps, schedule.timestepSpacing ?? "leading").reverse();
  const kept = ascending.slice(0, run.steps - firstStepForStrength(run.steps, run.strength));
  const skipPrk = schedule.skipPrkSteps ?? false;
  const { prk, plms } = kept.length === 0 ? { prk: [], plms: [] } : callTimesteps(kept, skipPrk, Math.floor(stride / 2));
  const timesteps = [...prk, ...plms];
  const finalAlpha = finalAlphaCumprod(schedule, false);

  let counter = 0;
  let ets: Float32Array[] = [];
  let curSample: Float32Array | undefined;
  let curModelOutput: Float32Array | undefined;

  // PNDM paper eq. (9), the transfer from t to prevT along ε.
  const prevSample = (sample: Float32Array, t: number, prevT: number, output: Float32Array): Float32Array => {
    const alpha = schedule.alphasCumprod[t]!;
    const alphaPrev = prevT >= 0 ? schedule.alphasCumprod[prevT]! : finalAlpha;
    const sampleCoeff = Math.sqrt(alphaPrev / alpha);
    const denominator = alpha * Math.sqrt(1 - alphaPrev) + Math.sqrt(alpha * (1 - alpha) * alphaPrev);
    const v = schedule.predictionType === "v_prediction";
    const out = new Float32Array(sample.length);
    for (let k = 0; k < sample.length; k++) {
      const eps = v ? Math.sqrt(alpha) * output[k]! + Math.sqrt(1 - alpha) * sample[k]! : output[k]!;
      out[k] = sampleCoeff * sample[k]! - ((alphaPrev - alpha) * eps) / denominator;
    }
    return out;
  };
  const combine = (weights: number[], parts: Float32Array[], divisor: number): Float32Array =>
    parts[0]!.map((_, k) => weights.reduce((sum, w, j) => sum + w * parts[j]![k]!, 0) / divisor);

  const stepPrk = (output: Float32Array, timestep: number, sample: Float32Array): Float32Array => {
    const prevT = timestep - (counter % 2 ? 0 : Math.floor(stride / 2));
    const t = prk[Math.floor(counter / 4) * 4]!;
    let used = output;
    const phase = counter % 4;
    if (phase === 0) {
      curModelOutput = output.map((v) => v / 6);
      ets.push(output);
      curSample = sample;
    } else if (phase === 1 || phase === 2) {
      curModelOutput = curModelOutput!.map((v, k) => v + output[k]! / 3);
    } else {
      used = curModelOutput!.map((v, k) => v + output[k]! / 6);
      curModelOutput = undefined;
    }
    counter++;
    return prevSample(curSample ?? sample, t, prevT, used);
  };

  const stepPlms = (output: Float32Array, timestep: number, sample: Float32Array): Float32Array => {
    let t = timestep;
    let prevT = timestep - stride;
    if (counter !== 1) {
      ets = [...ets.slice(-3), output];
    } else {
      prevT = timestep;
      t = timestep + stride;
    }
    let combined: Float32Array;
    let from = sample;
    if (ets.length === 1 && counter === 0) {
      combined = output;
      curSample = sample;
    } else if (ets.length === 1 && counter === 1) {
      combined = combine([1, 1], [output, ets[0]!], 2);
      from = curSample!;
      curSample = undefined;
    } else if (ets.length === 2) {
      combined = combine([3, -1], [ets[1]!, ets[0]!], 2);
    } else if (ets.length === 3) {
      combined = combine([23, -16, 5], [ets[2]!, ets[1]!, ets[0]!], 12);
    } else {
      combined = combine([55, -59, 37, -9], [ets[3]!, ets[2]!, ets[1]!, ets[0]!], 24);
    }
    counter++;
    return prevSample(from, t, prevT, combined);
  };

  return {
    timesteps,
    initNoiseSigma: 1,
    addNoise: (clean, noise, i) => noiseToAlpha(clean, noise, schedule.alphasCumprod[timesteps[i]!]!),
    scaleModelInput: (latents) => latents,
    step: (output, i, latents) => (counter < prk.length ? stepPrk(output, timesteps[i]!, latents) : stepPlms(output, timesteps[i]!, latents)),
  };
}
