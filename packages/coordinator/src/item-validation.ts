import { outputSizeOf, type ClipCheckSettings, type NewItem, type RenderSettings } from "@atelier/db";
import { LIMITS } from "./limits.ts";

/**
 * Checks one expanded item against the farm's limits. Returns messages that
 * name the field, the limit and the value, prefixed with where the item came
 * from ("prompts.jsonl:12: width must be ...").
 */
export function validateItem(item: NewItem, source: string): string[] {
  const at = source ? `${source}: ` : `item ${item.index}: `;
  return [...(itemTextProblems(item.prompt, item.negativePrompt, item.seed) ?? []).map((problem) => at + problem), ...validateSettings(item, at)];
}

/**
 * The checks of an item that are not its settings: prompt, negative prompt
 * and seed. Undefined when there is nothing to say, so that a million valid
 * items cost no arrays; messages come without the item's prefix.
 */
export function itemTextProblems(prompt: string, negativePrompt: string, seed: number): string[] | undefined {
  const fine = prompt.length <= LIMITS.promptChars && negativePrompt.length <= LIMITS.promptChars && Number.isInteger(seed) && seed >= 0 && seed <= LIMITS.maxSeed
    && !hasControlCharacters(prompt) && !hasControlCharacters(negativePrompt) && prompt.trim() !== "";
  if (fine) return undefined;
  const problems: string[] = [];
  if (prompt.trim() === "") problems.push("prompt is empty");
  if (prompt.length > LIMITS.promptChars) problems.push(`prompt is ${prompt.length} characters; the limit is ${LIMITS.promptChars}`);
  if (negativePrompt.length > LIMITS.promptChars) problems.push(`negative_prompt is ${negativePrompt.length} characters; the limit is ${LIMITS.promptChars}`);
  if (hasControlCharacters(prompt) || hasControlCharacters(negativePrompt)) problems.push("prompt contains control characters");
  if (!Number.isInteger(seed) || seed < 0 || seed > LIMITS.maxSeed) problems.push(`seed must be an integer between 0 and ${LIMITS.maxSeed} (got ${seed})`);
  return problems;
}

export function validateSettings(settings: RenderSettings, at: string): string[] {
  const problems: string[] = [];
  const say = (message: string) => problems.push(at + message);
  for (const side of ["width", "height"] as const) {
    const value = settings[side];
    if (!Number.isInteger(value) || value < LIMITS.minSide || value > LIMITS.maxSide || value % LIMITS.sideMultiple !== 0) {
      say(`${side} must be a multiple of ${LIMITS.sideMultiple} between ${LIMITS.minSide} and ${LIMITS.maxSide} (got ${value})`);
    }
  }
  if (!Number.isInteger(settings.steps) || settings.steps < 1 || settings.steps > LIMITS.maxSteps) {
    say(`steps must be an integer between 1 and ${LIMITS.maxSteps} (got ${settings.steps})`);
  }
  if (!Number.isFinite(settings.guidance) || settings.guidance < 0 || settings.guidance > LIMITS.maxGuidance) {
    say(`guidance must be between 0 and ${LIMITS.maxGuidance} (got ${settings.guidance})`);
  }
  if (!(LIMITS.samplers as readonly string[]).includes(settings.sampler)) {
    say(`sampler must be one of ${LIMITS.samplers.join(", ")} (got "${settings.sampler}")`);
  }
  if (!LIMITS.modelName.test(settings.model)) say(`model "${settings.model}" is not a valid model name`);
  problems.push(...validateOptions(settings, at));
  return problems;
}

/** The render options (clip skip, seed source, refiner, hires fix, upscale, architecture), each message naming the field and the limit. */
function validateOptions(settings: RenderSettings, at: string): string[] {
  const problems: string[] = [];
  const say = (message: string) => problems.push(at + message);
  const { clipSkip, seedSource, refinerModel, refinerStart, hires, upscale, architecture, clip } = settings;
  if (clipSkip !== undefined && (!Number.isInteger(clipSkip) || clipSkip < 1 || clipSkip > LIMITS.maxClipSkip)) {
    say(`clip_skip must be an integer between 1 and ${LIMITS.maxClipSkip} (got ${clipSkip})`);
  }
  if (seedSource !== undefined && !(LIMITS.seedSources as readonly string[]).includes(seedSource)) {
    say(`seed_source must be one of ${LIMITS.seedSources.join(", ")} (got "${seedSource.slice(0, 40)}")`);
  }
  if (architecture !== undefined && !(LIMITS.architectures as readonly string[]).includes(architecture)) {
    say(`architecture must be one of ${LIMITS.architectures.join(", ")} (got "${architecture.slice(0, 40)}")`);
  }
  if (refinerModel !== undefined && !LIMITS.modelName.test(refinerModel)) say(`refiner_model "${refinerModel.slice(0, 40)}" is not a valid model name`);
  if (refinerModel !== undefined && refinerStart === undefined) say("refiner_model needs refiner_start: the fraction of the schedule, strictly between 0 and 1, where the refiner takes over");
  if (refinerStart !== undefined) {
    if (!Number.isFinite(refinerStart) || refinerStart <= 0 || refinerStart >= 1) say(`refiner_start must be strictly between 0 and 1 (got ${refinerStart})`);
    else if (refinerModel === undefined) say("refiner_start needs refiner_model: the model that finishes the schedule");
  }
  if (hires) {
    if (!Number.isFinite(hires.scale) || hires.scale <= 1 || hires.scale > LIMITS.maxHiresScale) {
      say(`hires.scale must be above 1 and at most ${LIMITS.maxHiresScale} (got ${hires.scale})`);
    }
    if (!Number.isFinite(hires.denoise) || hires.denoise < 0 || hires.denoise > 1) say(`hires.denoise must be between 0 and 1 (got ${hires.denoise})`);
    if (!Number.isInteger(hires.steps) || hires.steps < 0 || hires.steps > LIMITS.maxSteps) {
      say(`hires.steps must be an integer between 1 and ${LIMITS.maxSteps}, or 0 for the first pass's steps (got ${hires.steps})`);
    }
    if (hires.upscaler !== LIMITS.hiresBuiltinUpscaler && !LIMITS.modelName.test(hires.upscaler)) {
      say(`hires.upscaler must be "${LIMITS.hiresBuiltinUpscaler}" or an upscaler model name (got "${hires.upscaler.slice(0, 40)}")`);
    }
    if (refinerModel !== undefined) say("hires and refiner_model cannot be combined: hires is a one-stage render");
  }
  if (upscale) {
    if (!LIMITS.modelName.test(upscale.model)) say(`upscale.model "${upscale.model.slice(0, 40)}" is not a valid upscaler model name`);
    if (!(LIMITS.upscaleScales as readonly number[]).includes(upscale.scale)) say(`upscale.scale must be one of ${LIMITS.upscaleScales.join(", ")} (got ${upscale.scale})`);
  }
  if (clip) problems.push(...validateClip(clip).map((problem) => at + problem));
  if (problems.length === 0 && (hires || upscale)) {
    const out = outputSizeOf(settings);
    if (Math.max(out.width, out.height) > LIMITS.maxSide) {
      say(`hires/upscale make a ${out.width}x${out.height} image from ${settings.width}x${settings.height}; the limit is ${LIMITS.maxSide} px a side`);
    }
  }
  return problems;
}

/** The CLIP check's gate and counter-prompts, each message naming the field and the limit. */
function validateClip(clip: ClipCheckSettings): string[] {
  const problems: string[] = [];
  const { minScore, maxRerolls, counterPrompts = [] } = clip;
  if (minScore !== undefined && (!Number.isFinite(minScore) || minScore < -1 || minScore > 1)) {
    problems.push(`clip.min_score must be a cosine similarity between -1 and 1 (got ${minScore}); LAION-5B kept pairs above 0.28`);
  }
  if (maxRerolls !== undefined && (!Number.isInteger(maxRerolls) || maxRerolls < 0 || maxRerolls > LIMITS.maxRerolls)) {
    problems.push(`clip.max_rerolls must be an integer between 0 and ${LIMITS.maxRerolls} (got ${maxRerolls})`);
  }
  if (maxRerolls && minScore === undefined) problems.push("clip.max_rerolls needs clip.min_score (has_min_score): re-rolls happen only below a gate");
  if (counterPrompts.length > LIMITS.maxCounterPrompts) problems.push(`clip.counter_prompts has ${counterPrompts.length} prompts; the limit is ${LIMITS.maxCounterPrompts}`);
  for (const counter of counterPrompts) {
    if (counter.trim() === "" || counter.length > LIMITS.promptChars || hasControlCharacters(counter)) {
      problems.push(`each of clip.counter_prompts must be 1 to ${LIMITS.promptChars} characters without control characters`);
      break;
    }
  }
  return problems;
}

function hasControlCharacters(text: string): boolean {
  // Tabs and newlines are allowed in prompts; other C0 controls and DEL are not.
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}
