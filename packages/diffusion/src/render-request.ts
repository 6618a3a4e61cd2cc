import { isNoiseSourceName, NOISE_SOURCES, type NoiseSourceName } from "./noise/noise-sources.ts";
import type { HiresFix } from "./pipeline/hires-fix.ts";
import { SAMPLER_NAMES, isSamplerName, type SamplerName } from "./samplers/sampler-registry.ts";
import type { AttributionRequest } from "./pipeline/keyword-contribution.ts";

/** One image to render. Same request + same model + same provider = same PNG bytes. */
export interface RenderRequest {
  /** A1111 emphasis syntax applies: (word), (word:1.3), [word], \( for a literal bracket */
  prompt: string;
  /** "" for none; it becomes the unconditional half of classifier-free guidance */
  negativePrompt: string;
  /** uint32; every random number of the render comes from it */
  seed: number;
  /** pixels, multiple of 8 */
  width: number;
  /** pixels, multiple of 8 */
  height: number;
  steps: number;
  /** classifier-free guidance scale; <= 1 runs the conditional half only */
  guidance: number;
  sampler: SamplerName;
  /** img2img / inpainting source: PNG of exactly width x height */
  initImage?: Uint8Array;
  /**
   * share of the schedule to run on the noised initImage, 0..1 (default 0.8
   * for img2img, 1 for inpainting, as diffusers); 0 returns initImage's pixels
   */
  strength?: number;
  /** inpainting: PNG of width x height, white (grey >= 128) = repaint, black = keep exactly */
  mask?: Uint8Array;
  /**
   * A1111's "Clip skip": 1 (default) conditions on the text encoder's last
   * layer, 2 on the one before it (normalised as A1111 does). Needs an
   * export with hidden_states outputs; refused with a reason otherwise.
   */
  clipSkip?: number;
  /**
   * the random number generator the seed drives (default "atelier"):
   * "torch-cpu" reproduces diffusers' CPU generator and A1111's RNG "CPU",
   * "a1111-gpu" A1111's RNG "NV" (torch's CUDA randn)
   */
  noiseSource?: NoiseSourceName;
  /**
   * two-stage render (SDXL base + refiner): the fraction of the schedule,
   * 0 < x < 1, after which the refiner (RenderOptions.refiner) takes over,
   * as diffusers' denoising_end/denoising_start (0.8 is the usual split).
   * Text-to-image only.
   */
  refinerStart?: number;
  /**
   * A1111's hires fix: this size first, then the image upscaled by
   * `scale` and re-rendered as img2img at strength `denoise`
   * (see pipeline/hires-fix.ts). Text-to-image only.
   */
  hires?: HiresFix;
  /**
   * where the image belongs, for its XMP label (time: ISO 8601, the batch's
   * submission, so that a re-run writes the same bytes)
   */
  label?: { batchId: string; itemId: string; createdAt: string };
  /** stamp Atelier's invisible watermark in the pixels (see watermark/) */
  watermark?: boolean;
  /** measure how much of the picture these keywords drive (pipeline/keyword-contribution.ts) */
  attribution?: AttributionRequest;
}

/** The limits validateRenderRequest enforces, for callers that show them. */
export const RENDER_LIMITS = {
  minSidePx: 64,
  maxSidePx: 2048,
  sideMultiplePx: 8,
  minSteps: 1,
  maxSteps: 150,
  minGuidance: 0,
  maxGuidance: 30,
  maxSeed: 4294967295,
  maxPromptChars: 2000,
  minStrength: 0,
  maxStrength: 1,
  minClipSkip: 1,
  maxClipSkip: 12,
  /** refinerStart lies strictly between these */
  refinerStartExclusive: [0, 1],
  maxHiresScale: 4,
} as const;

const show = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value));

function checkSide(field: "width" | "height", value: unknown, issues: string[]): void {
  const { minSidePx, maxSidePx, sideMultiplePx } = RENDER_LIMITS;
  if (typeof value !== "number" || !Number.isInteger(value) || value % sideMultiplePx !== 0 || value < minSidePx || value > maxSidePx) {
    issues.push(`${field} must be a multiple of ${sideMultiplePx} between ${minSidePx} and ${maxSidePx} (got ${show(value)})`);
  }
}

function checkText(field: "prompt" | "negativePrompt", value: unknown, required: boolean, issues: string[]): void {
  if (typeof value !== "string") {
    issues.push(`${field} must be a string (got ${show(value)})`);
  } else if (required && value.trim() === "") {
    issues.push(`${field} must not be empty`);
  } else if (value.length > RENDER_LIMITS.maxPromptChars) {
    issues.push(`${field} must be at most ${RENDER_LIMITS.maxPromptChars} characters (got ${value.length})`);
  }
}

function checkSourceImage(r: Record<string, unknown>, issues: string[]): void {
  const { initImage, mask, strength } = r;
  for (const [field, value] of [["initImage", initImage], ["mask", mask]] as const) {
    if (value !== undefined && !(value instanceof Uint8Array)) issues.push(`${field} must be PNG bytes (a Uint8Array)`);
  }
  if (mask !== undefined && initImage === undefined) issues.push("mask needs initImage: inpainting repaints part of a source image");
  if (strength === undefined) return;
  const { minStrength, maxStrength } = RENDER_LIMITS;
  if (typeof strength !== "number" || !Number.isFinite(strength) || strength < minStrength || strength > maxStrength) {
    issues.push(`strength must be a number between ${minStrength} and ${maxStrength} (got ${show(strength)})`);
  } else if (initImage === undefined) {
    issues.push("strength needs initImage: it is the share of the schedule run on the source image");
  }
}

function checkHires(r: Record<string, unknown>, issues: string[]): void {
  const hires = r["hires"] as Record<string, unknown> | undefined;
  if (hires === undefined) return;
  if (typeof hires !== "object" || hires === null) {
    issues.push("hires must be an object { scale, denoise, upscaler, steps? }");
    return;
  }
  const { scale, denoise, steps, upscaler } = hires;
  if (typeof scale !== "number" || !Number.isFinite(scale) || scale <= 1 || scale > RENDER_LIMITS.maxHiresScale) {
    issues.push(`hires.scale must be a number above 1 and at most ${RENDER_LIMITS.maxHiresScale} (got ${show(scale)})`);
  } else if (typeof r["width"] === "number" && typeof r["height"] === "number") {
    const longer = Math.trunc(Math.max(r["width"], r["height"]) * scale);
    if (longer > RENDER_LIMITS.maxSidePx) issues.push(`hires.scale ${scale} makes a ${longer} px side; the limit is ${RENDER_LIMITS.maxSidePx}`);
  }
  if (typeof denoise !== "number" || !Number.isFinite(denoise) || denoise < 0 || denoise > 1) issues.push(`hires.denoise must be a number between 0 and 1 (got ${show(denoise)})`);
  if (steps !== undefined && (typeof steps !== "number" || !Number.isInteger(steps) || steps < RENDER_LIMITS.minSteps || steps > RENDER_LIMITS.maxSteps)) {
    issues.push(`hires.steps must be an integer between ${RENDER_LIMITS.minSteps} and ${RENDER_LIMITS.maxSteps} (got ${show(steps)})`);
  }
  if (typeof upscaler !== "string" || upscaler === "") issues.push(`hires.upscaler must name an upscaler ("bicubic" or a model) (got ${show(upscaler)})`);
  if (r["initImage"] !== undefined || r["refinerStart"] !== undefined) issues.push("hires applies to one-stage text-to-image only (not with initImage or refinerStart)");
}

/**
 * Every broken limit of a request, each message naming the field, the limit
 * and the value; [] when the request is valid. Checks shape only: whether the
 * prompt fits a model's token window needs that model's tokenizer
 * (Pipeline.countTokens), and images are decoded by the pipeline.
 */
export function validateRenderRequest(req: RenderRequest): string[] {
  const r = req as unknown as Record<string, unknown>;
  const issues: string[] = [];
  const L = RENDER_LIMITS;
  checkText("prompt", r["prompt"], true, issues);
  checkText("negativePrompt", r["negativePrompt"], false, issues);
  const seed = r["seed"];
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > L.maxSeed) {
    issues.push(`seed must be an integer between 0 and ${L.maxSeed} (got ${show(seed)})`);
  }
  checkSide("width", r["width"], issues);
  checkSide("height", r["height"], issues);
  const steps = r["steps"];
  if (typeof steps !== "number" || !Number.isInteger(steps) || steps < L.minSteps || steps > L.maxSteps) {
    issues.push(`steps must be an integer between ${L.minSteps} and ${L.maxSteps} (got ${show(steps)})`);
  }
  const guidance = r["guidance"];
  if (typeof guidance !== "number" || !Number.isFinite(guidance) || guidance < L.minGuidance || guidance > L.maxGuidance) {
    issues.push(`guidance must be a number between ${L.minGuidance} and ${L.maxGuidance} (got ${show(guidance)})`);
  }
  if (!isSamplerName(r["sampler"])) {
    issues.push(`sampler must be one of ${SAMPLER_NAMES.join(", ")} (got ${show(r["sampler"])})`);
  }
  checkSourceImage(r, issues);
  const noiseSource = r["noiseSource"];
  if (noiseSource !== undefined && !isNoiseSourceName(noiseSource)) {
    issues.push(`noiseSource must be one of ${NOISE_SOURCES.join(", ")} (got ${show(noiseSource)})`);
  }
  const clipSkip = r["clipSkip"];
  if (clipSkip !== undefined && (typeof clipSkip !== "number" || !Number.isInteger(clipSkip) || clipSkip < L.minClipSkip || clipSkip > L.maxClipSkip)) {
    issues.push(`clipSkip must be an integer between ${L.minClipSkip} and ${L.maxClipSkip} (got ${show(clipSkip)})`);
  }
  checkHires(r, issues);
  const refinerStart = r["refinerStart"];
  if (refinerStart !== undefined) {
    if (typeof refinerStart !== "number" || !Number.isFinite(refinerStart) || refinerStart <= 0 || refinerStart >= 1) {
      issues.push(`refinerStart must be a number strictly between 0 and 1 (got ${show(refinerStart)})`);
    } else if (r["initImage"] !== undefined) {
      issues.push("refinerStart applies to text-to-image only (got an initImage)");
    }
  }
  return issues;
}
