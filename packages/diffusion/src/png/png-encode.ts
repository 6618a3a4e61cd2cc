import { constants, deflateSync } from "node:zlib";
import { crc32 } from "./crc32.ts";
import { type FilterChoice, filterScanlines } from "./png-filters.ts";

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const COLOR_TYPE_RGB = 2;
const COLOR_TYPE_RGBA = 6;
const latin1Max = 0xff;
const ascii = new TextEncoder();

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const typeBytes = ascii.encode(type);
  out.set(typeBytes, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(typeBytes, data));
  return out;
}

function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

// PNG text is Latin-1 (tEXt). Prompts often are not, so like PIL (and thus
// A1111) we fall back to an uncompressed UTF-8 iTXt chunk for those.
function textChunk(keyword: string, text: string): Uint8Array {
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword)) {
    throw new Error(`PNG text keyword must be 1-79 printable Latin-1 characters (got "${keyword}")`);
  }
  const key = latin1Bytes(keyword);
  const fitsLatin1 = [...text].every((ch) => ch.codePointAt(0)! <= latin1Max && ch !== "\0");
  if (fitsLatin1) return chunk("tEXt", concat([key, Uint8Array.of(0), latin1Bytes(text)]));
  // keyword NUL, compression flag 0, method 0, empty language NUL, empty translated keyword NUL, UTF-8 text
  return chunk("iTXt", concat([key, Uint8Array.of(0, 0, 0, 0, 0), new TextEncoder().encode(text)]));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

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
  const texts = Object.entries(image.text ?? {}).map(([key, value]) => textChunk(key, value));
  // Z_RLE: only runs (distance-1 matches), several times faster than the default
  // strategy and as small or smaller on filtered image rows.
  const idat = deflateSync(filterScanlines(pixels, width, height, channels, filter), { strategy: constants.Z_RLE });
  return concat([SIGNATURE, chunk("IHDR", header), ...texts, chunk("IDAT", idat), chunk("IEND", new Uint8Array(0))]);
}

/** 8-bit RGB PNG with optional text chunks (tEXt, or iTXt when not Latin-1). */
export function encodePng(rgb: Uint8Array, width: number, height: number, textChunks?: Record<string, string>): Uint8Array {
  return encodePngImage({ width, height, channels: 3, pixels: rgb, ...(textChunks ? { text: textChunks } : {}) });
}
