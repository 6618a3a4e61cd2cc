import type { ItemSpec } from "@atelier/sdk";

type Settings = NonNullable<ItemSpec["settings"]>;

/**
 * Render-setting fields of an input line or of `atelier submit` flags, by
 * their input-file names (flags spell `_` as `-`). Hires fix and upscale are
 * flat, so that CSV columns can carry them.
 */
export const SETTING_FIELDS = [
  "model", "width", "height", "steps", "guidance", "sampler", "clip_skip", "seed_source", "refiner_model", "refiner_start",
  "hires_scale", "hires_denoise", "hires_steps", "hires_upscaler", "upscale", "upscale_scale", "architecture",
  "clip", "min_clip_score", "max_rerolls", "counter_prompts",
] as const;
export type SettingField = (typeof SETTING_FIELDS)[number];
export const NUMERIC_SETTINGS: ReadonlySet<string> = new Set([
  "width", "height", "steps", "guidance", "clip_skip", "refiner_start", "hires_scale", "hires_denoise", "hires_steps", "upscale_scale",
  "min_clip_score", "max_rerolls",
]);
/** clip: "score" (each image's CLIP similarity to its prompt) or "fidelity" (also against its prompt with the roles swapped). */
const CLIP_MODES = ["score", "fidelity"];

/** What a line or flag states; the coordinator checks the limits, this only the shape. */
export type SettingValues = Partial<Record<SettingField, string | number>>;

/**
 * The wire settings: an unset field is 0 or "" (inherit), except guidance,
 * sent with has_guidance only when given, so that an explicit 0 (no CFG)
 * reaches the coordinator as 0. Throws a message naming the field on a missing partner
 * (hires_scale without hires_denoise, upscale without upscale_scale).
 */
export function toRenderSettings(values: SettingValues): Settings {
  const text = (field: SettingField) => (values[field] as string | undefined) ?? "";
  const number = (field: SettingField) => (values[field] as number | undefined) ?? 0;
  const settings: Settings = {
    model: text("model"), width: number("width"), height: number("height"), steps: number("steps"), sampler: text("sampler"),
    clipSkip: number("clip_skip"), seedSource: text("seed_source"), refinerModel: text("refiner_model"), refinerStart: number("refiner_start"),
    architecture: text("architecture"),
  };
  if (values.guidance !== undefined) Object.assign(settings, { guidance: values.guidance as number, hasGuidance: true });
  const hiresGiven = ["hires_scale", "hires_denoise", "hires_steps", "hires_upscaler"].filter((f) => values[f as SettingField] !== undefined);
  if (hiresGiven.length > 0) {
    for (const needed of ["hires_scale", "hires_denoise"] as const) {
      if (values[needed] === undefined) throw new Error(`${hiresGiven.join(", ")} needs ${needed} as well`);
    }
    settings.hires = { scale: number("hires_scale"), denoise: number("hires_denoise"), steps: number("hires_steps"), upscaler: text("hires_upscaler") || "bicubic" };
  }
  if (values.upscale !== undefined || values.upscale_scale !== undefined) {
    if (values.upscale === undefined || values.upscale_scale === undefined) throw new Error("upscale (the upscaler model) and upscale_scale (2 or 4) go together");
    settings.upscale = { model: text("upscale"), scale: number("upscale_scale") };
  }
  // CLIP: any of its fields turns scoring on; counter_prompts are separated by "|".
  if (["clip", "min_clip_score", "max_rerolls", "counter_prompts"].some((f) => values[f as SettingField] !== undefined)) {
    if (values.clip !== undefined && !CLIP_MODES.includes(text("clip"))) throw new Error(`clip must be one of ${CLIP_MODES.join(", ")} (got "${text("clip").slice(0, 40)}")`);
    const counterPrompts = text("counter_prompts").split("|").map((p) => p.trim()).filter((p) => p !== "");
    settings.clip = {
      score: true, fidelity: text("clip") === "fidelity", counterPrompts, maxRerolls: number("max_rerolls"),
      ...(values.min_clip_score !== undefined ? { minScore: number("min_clip_score"), hasMinScore: true } : {}),
    };
  }
  return settings;
}
