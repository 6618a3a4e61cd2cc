import type { RenderOptions, RenderSettings } from "./domain.ts";

/** The options of `settings` that are set, as stored in the item's `options` column. */
export function renderOptionsOf(settings: RenderOptions): RenderOptions {
  const options: RenderOptions = {};
  if (settings.clipSkip) options.clipSkip = settings.clipSkip;
  if (settings.seedSource) options.seedSource = settings.seedSource;
  if (settings.refinerModel) options.refinerModel = settings.refinerModel;
  if (settings.refinerStart) options.refinerStart = settings.refinerStart;
  if (settings.hires) {
    const { scale, steps, denoise, upscaler } = settings.hires;
    options.hires = { scale, steps, denoise, upscaler };
  }
  if (settings.upscale) options.upscale = { model: settings.upscale.model, scale: settings.upscale.scale };
  if (settings.architecture) options.architecture = settings.architecture;
  if (settings.clip) options.clip = settings.clip;
  return options;
}

/**
 * The size of the image an item comes out as: hires makes the first pass
 * int(side * scale) down to a multiple of 8 (A1111's rule, as the pipeline
 * computes it), upscale multiplies that by its scale.
 */
export function outputSizeOf(settings: Pick<RenderSettings, "width" | "height" | "hires" | "upscale">): { width: number; height: number } {
  let { width, height } = settings;
  if (settings.hires) {
    const side = (v: number) => Math.floor(Math.trunc(v * settings.hires!.scale) / 8) * 8;
    width = side(width);
    height = side(height);
  }
  if (settings.upscale) {
    width *= settings.upscale.scale;
    height *= settings.upscale.scale;
  }
  return { width, height };
}
