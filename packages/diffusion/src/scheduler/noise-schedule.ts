import { ModelFormatError } from "../errors.ts";

// The training noise schedule of a model and the sampler settings of its
// scheduler_config.json. Samplers derive everything else (sigmas, step
// sizes) from alphasCumprod.
//
// diffusers builds a scheduler with `XScheduler.from_config(config)`: keys
// the config lacks take that scheduler class's own default (Euler spaces
// timesteps "linspace" by default, DDIM "leading", ...). Optional settings
// therefore stay `undefined` here and each sampler applies its class default.

export type PredictionType = "epsilon" | "v_prediction";
export type TimestepSpacing = "leading" | "trailing" | "linspace";
export type FinalSigmasType = "zero" | "sigma_min";

export interface NoiseSchedule {
  numTrainTimesteps: number;
  /** ᾱ_t for t = 0 .. numTrainTimesteps-1, computed in float64 (diffusers: float32, ~1e-7 apart) */
  alphasCumprod: Float64Array;
  predictionType: PredictionType;
  timestepSpacing: TimestepSpacing | undefined;
  stepsOffset: number;
  /** DDIM/PNDM/LCM: ᾱ after the last step is 1 (true) or ᾱ_0 (false) */
  setAlphaToOne: boolean | undefined;
  /** DDIM/LCM clamp their x0 estimate to ±clipSampleRange when set */
  clipSample: boolean | undefined;
  clipSampleRange: number;
  /** PNDM: PLMS only (true, every SD export) or Runge–Kutta warm-up first */
  skipPrkSteps: boolean | undefined;
  /** Euler: Karras sigmas from the config (dpmpp_2m_karras forces them) */
  useKarrasSigmas: boolean;
  /** Euler and DPM-Solver: the sigma after the last step */
  finalSigmasType: FinalSigmasType | undefined;
  /** LCM: the distillation schedule's step count (diffusers default 50) */
  originalInferenceSteps: number;
  /** LCM: boundary-condition time scaling (diffusers default 10) */
  timestepScaling: number;
}

// diffusers betas_for_alpha_bar with the cosine ("Glide") transform.
function cosineBetas(count: number): Float64Array {
  const alphaBar = (t: number) => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  return Float64Array.from({ length: count }, (_, i) => Math.min(1 - alphaBar((i + 1) / count) / alphaBar(i / count), 0.999));
}

function betasFor(config: Record<string, unknown>, count: number, source: string): Float64Array {
  const trained = config["trained_betas"];
  if (Array.isArray(trained)) return Float64Array.from(trained as number[]);
  const start = numberField(config, "beta_start", 0.0001, source);
  const end = numberField(config, "beta_end", 0.02, source);
  const schedule = config["beta_schedule"] ?? "linear";
  if (schedule === "squaredcos_cap_v2") return cosineBetas(count);
  const betas = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const f = count === 1 ? 0 : i / (count - 1);
    if (schedule === "linear") betas[i] = start + (end - start) * f;
    // Stable Diffusion's schedule: linear in sqrt(beta), then squared.
    else if (schedule === "scaled_linear") betas[i] = (Math.sqrt(start) + (Math.sqrt(end) - Math.sqrt(start)) * f) ** 2;
    else throw new ModelFormatError(`${source}: beta_schedule "${String(schedule)}" is not supported (use linear, scaled_linear or squaredcos_cap_v2)`);
  }
  return betas;
}

function numberField(config: Record<string, unknown>, key: string, fallback: number, source: string): number {
  const value = config[key] ?? fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new ModelFormatError(`${source}: ${key} must be a number (got ${JSON.stringify(value)})`);
  return value;
}

function optionalBoolean(config: Record<string, unknown>, key: string, source: string): boolean | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new ModelFormatError(`${source}: ${key} must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

function oneOf<T extends string>(config: Record<string, unknown>, key: string, allowed: readonly T[], source: string): T | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new ModelFormatError(`${source}: ${key} "${String(value)}" is not supported (use ${allowed.join(" or ")})`);
  }
  return value as T;
}

/** Parses a diffusers scheduler_config.json, refusing settings the samplers here do not implement. */
export function parseSchedulerConfig(config: Record<string, unknown>, source: string): NoiseSchedule {
  const numTrainTimesteps = numberField(config, "num_train_timesteps", 1000, source);
  const betas = betasFor(config, numTrainTimesteps, source);
  if (betas.length !== numTrainTimesteps) throw new ModelFormatError(`${source}: trained_betas has ${betas.length} entries, num_train_timesteps is ${numTrainTimesteps}`);
  const alphasCumprod = new Float64Array(numTrainTimesteps);
  let product = 1;
  betas.forEach((beta, i) => (alphasCumprod[i] = product *= 1 - beta));

  if (config["thresholding"] === true) throw new ModelFormatError(`${source}: dynamic thresholding is not supported`);
  if (config["rescale_betas_zero_snr"] === true) throw new ModelFormatError(`${source}: rescale_betas_zero_snr is not supported`);
  oneOf(config, "timestep_type", ["discrete"], source);
  oneOf(config, "interpolation_type", ["linear"], source);
  return {
    numTrainTimesteps,
    alphasCumprod,
    predictionType: oneOf(config, "prediction_type", ["epsilon", "v_prediction"], source) ?? "epsilon",
    timestepSpacing: oneOf(config, "timestep_spacing", ["leading", "trailing", "linspace"], source),
    stepsOffset: numberField(config, "steps_offset", 0, source),
    setAlphaToOne: optionalBoolean(config, "set_alpha_to_one", source),
    clipSample: optionalBoolean(config, "clip_sample", source),
    clipSampleRange: numberField(config, "clip_sample_range", 1, source),
    skipPrkSteps: optionalBoolean(config, "skip_prk_steps", source),
    useKarrasSigmas: optionalBoolean(config, "use_karras_sigmas", source) ?? false,
    finalSigmasType: oneOf(config, "final_sigmas_type", ["zero", "sigma_min"], source),
    originalInferenceSteps: numberField(config, "original_inference_steps", 50, source),
    timestepScaling: numberField(config, "timestep_scaling", 10, source),
  };
}

/** ᾱ after the last step for schedulers with set_alpha_to_one, given the class default. */
export function finalAlphaCumprod(schedule: NoiseSchedule, classDefault: boolean): number {
  return (schedule.setAlphaToOne ?? classDefault) ? 1 : schedule.alphasCumprod[0]!;
}
