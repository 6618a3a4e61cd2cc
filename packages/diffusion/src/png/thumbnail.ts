import { boxDownscale, fitWithin } from "../image/box-downscale.ts";
import { encodePng } from "./png-encode.ts";

/** A gallery thumbnail: RGB PNG with `maxSidePx` on the longer side, box-filtered, no text chunks. */
export function thumbnailPng(rgb: Uint8Array, width: number, height: number, maxSidePx: number): Uint8Array {
  const size = fitWithin(width, height, maxSidePx);
  return encodePng(boxDownscale(rgb, width, height, 3, size.width, size.height), size.width, size.height);
}
