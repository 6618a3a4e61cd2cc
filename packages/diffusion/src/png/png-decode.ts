import { inflateSync } from "node:zlib";
import { decodeTextChunk, readChunks, TEXT_CHUNK_TYPES } from "./png-chunks.ts";
import { unfilterScanlines } from "./png-filters.ts";

/** Text larger than this in one chunk is refused: generation parameters are a few kilobytes. */
const MAX_TEXT_BYTES = 1024 * 1024;
/** samples per pixel by PNG colour type: grey, RGB, grey+alpha, RGBA (palettes are not read) */
const STORED_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** Grey (+alpha) samples as RGB(A), so callers see 3 or 4 channels only. */
function expandGrey(stored: Uint8Array, storedChannels: number): Uint8Array {
  const pixelCount = stored.length / storedChannels;
  const outChannels = storedChannels === 2 ? 4 : 3;
  const out = new Uint8Array(pixelCount * outChannels);
  for (let i = 0; i < pixelCount; i++) {
    const grey = stored[i * storedChannels]!;
    out.fill(grey, i * outChannels, i * outChannels + 3);
    if (storedChannels === 2) out[i * 4 + 3] = stored[i * 2 + 1]!;
  }
  return out;
}

export interface DecodedPng {
  width: number;
  height: number;
  channels: 3 | 4;
  pixels: Uint8Array;
  text: Record<string, string>;
}

/**
 * Decodes non-interlaced 8-bit RGB and RGBA PNGs (all filter types) with
 * their tEXt, zTXt and iTXt chunks, and 8-bit grey and grey+alpha (masks are
 * often saved so) expanded to RGB/RGBA. That covers what this package writes
 * and what common diffusion tools write; anything else is refused by name.
 */
export function decodePng(png: Uint8Array): DecodedPng {
  let width = 0;
  let height = 0;
  let channels: 3 | 4 = 3;
  let storedChannels = 3;
  const idat: Uint8Array[] = [];
  const text: Record<string, string> = {};
  for (const { type, data } of readChunks(png)) {
    if (type === "IHDR") {
      const header = new DataView(data.buffer, data.byteOffset, data.byteLength);
      width = header.getUint32(0);
      height = header.getUint32(4);
      const [bitDepth, colorType, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      const stored = STORED_CHANNELS[colorType!];
      if (bitDepth !== 8 || stored === undefined || interlace !== 0) {
        throw new Error(
          `unsupported PNG: bit depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}; only 8-bit non-interlaced grey, grey+alpha, RGB and RGBA are read`,
        );
      }
      storedChannels = stored;
      channels = stored === 2 || stored === 4 ? 4 : 3;
    } else if (type === "IDAT") {
      idat.push(data);
    } else if (TEXT_CHUNK_TYPES.has(type)) {
      const [keyword, value] = decodeTextChunk({ type, data }, MAX_TEXT_BYTES);
      text[keyword] = value;
    }
    // Other ancillary chunks are not needed.
  }
  if (width === 0 || height === 0) throw new Error("PNG has no IHDR chunk");
  if (idat.length === 0) throw new Error("PNG has no IDAT chunk");
  // Exactly a filter byte and a row of samples per row: more is an error, never more memory.
  const expected = height * (width * storedChannels + 1);
  let scanlines: Buffer;
  try {
    scanlines = inflateSync(Buffer.concat(idat), { maxOutputLength: expected });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_BUFFER_TOO_LARGE") throw error;
    throw new Error(`PNG image data inflates past the ${expected} bytes a ${width}x${height} image needs`, { cause: error });
  }
  const stored = unfilterScanlines(scanlines, width, height, storedChannels);
  const pixels = storedChannels < 3 ? expandGrey(stored, storedChannels) : stored;
  return { width, height, channels, pixels, text };
}
