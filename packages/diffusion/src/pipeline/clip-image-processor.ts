import { readFile } from "node:fs/promises";
import { ModelFormatError } from "../errors.ts";
import { resizeBicubicRgb } from "../image/resize-bicubic.ts";

// transformers' CLIPImageProcessor, which turns a rendered image into the
// safety checker's clip_input: resize the shorter side (bicubic), centre
// crop, scale to [0,1], normalise with CLIP's mean and std, channels first.
// Settings come from feature_extractor/preprocessor_config.json.

export interface ClipImageSettings {
  shortestEdge: number;
  cropWidth: number;
  cropHeight: number;
  mean: [number, number, number];
  std: [number, number, number];
}

// OpenAI CLIP ViT-L/14's preprocessing, which SD's safety checker uses.
const CLIP_DEFAULTS: ClipImageSettings = {
  shortestEdge: 224,
  cropWidth: 224,
  cropHeight: 224,
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
};

function sizeOf(value: unknown, key: "shortest_edge" | "height" | "width", fallback: number): number {
  if (typeof value === "number") return value;
  if (value && typeof value === "object" && typeof (value as Record<string, unknown>)[key] === "number") return (value as Record<string, number>)[key]!;
  return fallback;
}

function triple(value: unknown, fallback: [number, number, number]): [number, number, number] {
  return Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === "number") ? (value as [number, number, number]) : fallback;
}

/** Reads preprocessor_config.json; CLIP's defaults when the export has none. */
export async function readClipImageSettings(path: string): Promise<ClipImageSettings> {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return CLIP_DEFAULTS;
    throw new ModelFormatError(`${path} is not valid JSON`, { cause: error });
  }
  return {
    shortestEdge: sizeOf(config["size"], "shortest_edge", CLIP_DEFAULTS.shortestEdge),
    cropWidth: sizeOf(config["crop_size"], "width", CLIP_DEFAULTS.cropWidth),
    cropHeight: sizeOf(config["crop_size"], "height", CLIP_DEFAULTS.cropHeight),
    mean: triple(config["image_mean"], CLIP_DEFAULTS.mean),
    std: triple(config["image_std"], CLIP_DEFAULTS.std),
  };
}

/** clip_input [1,3,cropHeight,cropWidth] for an interleaved RGB image. */
export function clipPixelValues(rgb: Uint8Array, width: number, height: number, settings: ClipImageSettings): Float32Array {
  // transformers' get_resize_output_image_size(default_to_square=False)
  const edge = settings.shortestEdge;
  const long = Math.trunc((edge * Math.max(width, height)) / Math.min(width, height));
  const outWidth = width <= height ? edge : long;
  const outHeight = width <= height ? long : edge;
  const resized = resizeBicubicRgb(rgb, width, height, outWidth, outHeight);
  const { cropWidth, cropHeight, mean, std } = settings;
  const top = Math.floor((outHeight - cropHeight) / 2);
  const left = Math.floor((outWidth - cropWidth) / 2);
  const plane = cropWidth * cropHeight;
  const out = new Float32Array(3 * plane);
  for (let y = 0; y < cropHeight; y++) {
    for (let x = 0; x < cropWidth; x++) {
      const sy = y + top;
      const sx = x + left;
      const inside = sy >= 0 && sy < outHeight && sx >= 0 && sx < outWidth;
      for (let c = 0; c < 3; c++) {
        const value = inside ? resized[(sy * outWidth + sx) * 3 + c]! / 255 : 0;
        out[c * plane + y * cropWidth + x] = (value - mean[c]!) / std[c]!;
      }
    }
  }
  return out;
}
