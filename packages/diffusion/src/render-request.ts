import { SAMPLER_NAMES, isSamplerName, type SamplerName } from "./samplers/sampler-registry.ts";

/** One image to render. Same request + same model + same provider = same PNG bytes. */
export interface RenderRequest {
  prompt: string;
  /** "" for none; it becomes the unconditional half of classifier-free guidance */
  negativePrompt: string;
  /** uint32; the initial latents depend on it alone */
  seed: number;
  /** pixels, multiple of 8 */
  width: number;
  /** pixels, multiple of 8 */
  height: number;
  steps: number;
  /** classifier-free guidance scale; <= 1 runs the conditional half only */
  guidance: number;
  sampler: SamplerName;
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

/**
 * Every broken limit of a request, each message naming the field, the limit
 * and the value; [] when the request is valid. Checks shape only: whether the
 * prompt fits a model's token window needs that model's tokenizer
 * (Pipeline.countTokens).
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
  return issues;
}
