import { boxDownscale, fitWithin } from "../image/box-downscale.ts";
import { encodePngImage, type PngImage } from "./png-encode.ts";

/** A gallery thumbnail: a PNG with `maxSidePx` on the longer side, box-filtered, no text chunks. */
export function thumbnailPng(image: Pick<PngImage, "pixels" | "width" | "height" | "channels">, maxSidePx: number): Uint8Array {
  const size = fitWithin(image.width, image.height, maxSidePx);
  const pixels = boxDownscale(image.pixels, image.width, image.height, image.channels, size.width, size.height);
  return encodePngImage({ ...size, channels: image.channels, pixels });
}
