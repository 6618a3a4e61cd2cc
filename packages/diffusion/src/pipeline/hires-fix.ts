import { resizeBicubicRgb } from "../image/resize-bicubic.ts";
import type { Upscaler } from "../upscaler/upscaler-model.ts";

// A1111's "hires fix": render at the requested size, upscale the image, then
// run img2img on it at the larger size with strength `denoise`, so the
// model adds detail at a resolution it could not compose at directly. The
// upscale here is in pixel space: an upscaler model (ESRGAN-class, then
// bicubic to the exact target) or bicubic alone ("bicubic"). A1111's
// "Latent" upscalers (interpolating the latents) are not offered.

export interface HiresFix {
  /** target = round(size · scale) down to a multiple of 8; 1 < scale <= 4 */
  scale: number;
  /** second-pass steps; default: the first pass's */
  steps?: number;
  /** img2img strength of the second pass, 0..1 (A1111 "Denoising strength") */
  denoise: number;
  /** "bicubic", or the name of the Upscaler passed as RenderOptions.upscaler */
  upscaler: string;
}

export const BUILTIN_HIRES_UPSCALER = "bicubic";

/** A1111: int(side · scale), then down to a multiple of 8 (the latent grid). */
export function hiresSize(width: number, height: number, scale: number): { width: number; height: number } {
  const side = (v: number) => Math.floor(Math.trunc(v * scale) / 8) * 8;
  return { width: side(width), height: side(height) };
}

/** The first pass's pixels brought to the target size. */
export async function upscaleForHires(rgb: Uint8Array, width: number, height: number, target: { width: number; height: number }, upscaler: Upscaler | undefined): Promise<Uint8Array> {
  let image = { rgb, width, height };
  // Run the model while the image is still smaller than the target, then settle the exact size bicubically.
  while (upscaler && image.width < target.width && image.height < target.height) image = await upscaler.upscale(image.rgb, image.width, image.height);
  return image.width === target.width && image.height === target.height ? image.rgb : resizeBicubicRgb(image.rgb, image.width, image.height, target.width, target.height);
}
