import { ModelFormatError } from "../errors.ts";

// The training noise schedule of a model, read from scheduler_config.json.
// Samplers derive everything else (sigmas, step sizes) from alphasCumprod.

export type PredictionType = "epsilon" | "v_prediction";
export type TimestepSpacing = "leading" | "trailing";

export interface NoiseSchedule {
  numTrainTimesteps: number;
  /** ᾱ_t for t = 0 .. numTrainTimesteps-1, computed in float64 */
  alphasCumprod: Float64Array;
  predictionType: PredictionType;
  timestepSpacing: TimestepSpacing;
  stepsOffset: number;
  /** ᾱ used after the last step (DDIM): 1 with set_alpha_to_one, else ᾱ_0 */
  finalAlphaCumprod: number;
  /** DDIM clamps its x0 estimate to ±clipSampleRange when set */
  clipSampleRange: number | undefined;
}

function betasFor(config: Record<string, unknown>, count: number, source: string): Float64Array {
  const trained = config["trained_betas"];
  if (Array.isArray(trained)) return Float64Array.from(trained as number[]);
  const start = numberField(config, "beta_start", 0.0001, source);
  const end = numberField(config, "beta_end", 0.02, source);
  const schedule = config["beta_schedule"] ?? "linear";
  const betas = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const f = count === 1 ? 0 : i / (count - 1);
    if (schedule === "linear") betas[i] = start + (end - start) * f;
    // Stable Diffusion's schedule: linear in sqrt(beta), then squared.
    else if (schedule === "scaled_linear") betas[i] = (Math.sqrt(start) + (Math.sqrt(end) - Math.sqrt(start)) * f) ** 2;
    else throw new ModelFormatError(`${source}: beta_schedule "${String(schedule)}" is not supported (use linear or scaled_linear)`);
  }
  return betas;
}

function numberField(config: Record<string, unknown>, key: string, fallback: number, source: string): number {
  const value = config[key] ?? fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new ModelFormatError(`${source}: ${key} must be a number (got ${JSON.stringify(value)})`);
  return value;
}

/**
 * Parses a diffusers scheduler_config.json. Missing fields take diffusers'
 * defaults, except timestep_spacing, which defaults to "leading": SD 1.x
 * configs predate the field and were trained/evaluated with leading steps.
 */
export function parseSchedulerConfig(config: Record<string, unknown>, source: string): NoiseSchedule {
  const numTrainTimesteps = numberField(config, "num_train_timesteps", 1000, source);
  const betas = betasFor(config, numTrainTimesteps, source);
  if (betas.length !== numTrainTimesteps) throw new ModelFormatError(`${source}: trained_betas has ${betas.length} entries, num_train_timesteps is ${numTrainTimesteps}`);
  const alphasCumprod = new Float64Array(numTrainTimesteps);
  let product = 1;
  betas.forEach((beta, i) => (alphasCumprod[i] = product *= 1 - beta));

  const predictionType = config["prediction_type"] ?? "epsilon";
  if (predictionType !== "epsilon" && predictionType !== "v_prediction") {
    throw new ModelFormatError(`${source}: prediction_type "${String(predictionType)}" is not supported (use epsilon or v_prediction)`);
  }
  const timestepSpacing = config["timestep_spacing"] ?? "leading";
  if (timestepSpacing !== "leading" && timestepSpacing !== "trailing") {
    throw new ModelFormatError(`${source}: timestep_spacing "${String(timestepSpacing)}" is not supported (use leading or trailing)`);
  }
  if (config["thresholding"] === true) throw new ModelFormatError(`${source}: dynamic thresholding is not supported`);
  return {
    numTrainTimesteps,
    alphasCumprod,
    predictionType,
    timestepSpacing,
    stepsOffset: numberField(config, "steps_offset", 0, source),
    finalAlphaCumprod: config["set_alpha_to_one"] === false ? alphasCumprod[0]! : 1,
    clipSampleRange: config["clip_sample"] === true ? numberField(config, "clip_sample_range", 1, source) : undefined,
  };
}

// numpy's round(): halves go to the even neighbour.
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The UNet timesteps of an inference run, highest first, as diffusers computes them. */
export function inferenceTimesteps(schedule: NoiseSchedule, steps: number): number[] {
  const n = schedule.numTrainTimesteps;
  if (!Number.isInteger(steps) || steps < 1 || steps > n) throw new RangeError(`steps must be an integer between 1 and ${n} (got ${steps})`);
  let timesteps: number[];
  if (schedule.timestepSpacing === "leading") {
    const ratio = Math.floor(n / steps);
    timesteps = Array.from({ length: steps }, (_, i) => i * ratio + schedule.stepsOffset).reverse();
  } else {
    const ratio = n / steps;
    timesteps = Array.from({ length: steps }, (_, i) => roundHalfEven(n - i * ratio) - 1);
  }
  const outOfRange = timesteps.find((t) => t < 0 || t >= n);
  if (outOfRange !== undefined) throw new RangeError(`${steps} steps with steps_offset ${schedule.stepsOffset} reach timestep ${outOfRange}, outside 0..${n - 1}`);
  return timesteps;
}
