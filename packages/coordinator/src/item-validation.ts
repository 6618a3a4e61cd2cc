import type { NewItem, RenderSettings } from "@atelier/db";
import { LIMITS } from "./limits.ts";

/**
 * Checks one expanded item against the farm's limits. Returns messages that
 * name the field, the limit and the value, prefixed with where the item came
 * from ("prompts.jsonl:12: width must be ...").
 */
export function validateItem(item: NewItem, source: string): string[] {
  const problems: string[] = [];
  const at = source ? `${source}: ` : `item ${item.index}: `;
  const say = (message: string) => problems.push(at + message);

  if (item.prompt.trim() === "") say("prompt is empty");
  if (item.prompt.length > LIMITS.promptChars) say(`prompt is ${item.prompt.length} characters; the limit is ${LIMITS.promptChars}`);
  if (item.negativePrompt.length > LIMITS.promptChars) {
    say(`negative_prompt is ${item.negativePrompt.length} characters; the limit is ${LIMITS.promptChars}`);
  }
  if (hasControlCharacters(item.prompt) || hasControlCharacters(item.negativePrompt)) say("prompt contains control characters");
  problems.push(...validateSettings(item, at));
  if (!Number.isInteger(item.seed) || item.seed < 0 || item.seed > LIMITS.maxSeed) {
    say(`seed must be an integer between 0 and ${LIMITS.maxSeed} (got ${item.seed})`);
  }
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
  return problems;
}

function hasControlCharacters(text: string): boolean {
  // Tabs and newlines are allowed in prompts; other C0 controls and DEL are not.
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}
