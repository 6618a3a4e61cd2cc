import { constants, deflateSync } from "node:zlib";
import { concatBytes, encodeChunk, encodeTextChunk, PNG_SIGNATURE } from "./png-chunks.ts";
import { type FilterChoice, filterScanlines } from "./png-filters.ts";

const COLOR_TYPE_RGB = 2;
const COLOR_TYPE_RGBA = 6;

export interface PngImage {
  width: number;
  height: number;
  channels: 3 | 4;
  /** row-major, interleaved 8-bit samples */
  pixels: Uint8Array;
  text?: Record<string, string>;
}

/**
 * Encodes 8-bit RGB/RGBA. No timestamps or other varying chunks, and the
 * filter choice depends on the pixels alone: the same pixels and text give
 * the same bytes (on the same zlib), which the farm's "re-runs rewrite
 * identical objects" invariant depends on.
 */
export function encodePngImage(image: PngImage, filter: FilterChoice = "sampled"): Uint8Array {
  const { width, height, channels, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`PNG size must be positive integers (got ${width}x${height})`);
  }
  if (pixels.length !== width * height * channels) {
    throw new Error(`PNG pixel buffer has ${pixels.length} bytes; ${width}x${height}x${channels} needs ${width * height * channels}`);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8;
  header[9] = channels === 4 ? COLOR_TYPE_RGBA : COLOR_TYPE_RGB;
  const texts = Object.entries(image.text ?? {}).map(([key, value]) => encodeTextChunk(key, value));
  // Z_RLE: only runs (distance-1 matches), several times faster than the default
  // strategy and as small or smaller on filtered image rows.
  const idat = deflateSync(filterScanlines(pixels, width, height, channels, filter), { strategy: constants.Z_RLE });
  return concatBytes([PNG_SIGNATURE, encodeChunk("IHDR", header), ...texts, encodeChunk("IDAT", idat), encodeChunk("IEND", new Uint8Array(0))]);
}

/** 8-bit RGB PNG with optional text chunks (tEXt, or iTXt when not Latin-1). */
export function encodePng(rgb: Uint8Array, width: number, height: number, textChunks?: Record<string, string>): Uint8Array {
  return encodePngImage({ width, height, channels: 3, pixels: rgb, ...(textChunks ? { text: textChunks } : {}) });
}
