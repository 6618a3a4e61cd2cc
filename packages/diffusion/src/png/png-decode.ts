import { inflateSync } from "node:zlib";
import { crc32 } from "./crc32.ts";
import { unfilterScanlines } from "./png-filters.ts";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
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

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

function splitAtNul(bytes: Uint8Array, from = 0): [Uint8Array, number] {
  const nul = bytes.indexOf(0, from);
  if (nul < 0) throw new Error("PNG text chunk is missing its NUL separator");
  return [bytes.subarray(from, nul), nul + 1];
}

/**
 * Decodes non-interlaced 8-bit RGB and RGBA PNGs (all filter types) with
 * their tEXt, zTXt and iTXt chunks, and 8-bit grey and grey+alpha (masks are
 * often saved so) expanded to RGB/RGBA. That covers what this package writes
 * and what common diffusion tools write; anything else is refused by name.
 */
export function decodePng(png: Uint8Array): DecodedPng {
  if (png.length < 8 || SIGNATURE.some((b, i) => png[i] !== b)) throw new Error("not a PNG: bad signature");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let width = 0;
  let height = 0;
  let channels: 3 | 4 = 3;
  let storedChannels = 3;
  const idat: Uint8Array[] = [];
  const text: Record<string, string> = {};
  let offset = 8;
  let sawEnd = false;
  while (offset + 12 <= png.length && !sawEnd) {
    const length = view.getUint32(offset);
    const typeBytes = png.subarray(offset + 4, offset + 8);
    const type = latin1(typeBytes);
    if (offset + 12 + length > png.length) throw new Error(`PNG chunk ${type} is truncated`);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (view.getUint32(offset + 8 + length) !== crc32(typeBytes, data)) throw new Error(`PNG chunk ${type} fails its CRC check`);
    offset += 12 + length;
    switch (type) {
      case "IHDR": {
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
        break;
      }
      case "IDAT":
        idat.push(data);
        break;
      case "tEXt": {
        const [key, at] = splitAtNul(data);
        text[latin1(key)] = latin1(data.subarray(at));
        break;
      }
      case "zTXt": {
        const [key, at] = splitAtNul(data);
        text[latin1(key)] = latin1(inflateSync(data.subarray(at + 1)));
        break;
      }
      case "iTXt": {
        const [key, afterKey] = splitAtNul(data);
        const compressed = data[afterKey] === 1;
        const [, afterLanguage] = splitAtNul(data, afterKey + 2);
        const [, afterTranslated] = splitAtNul(data, afterLanguage);
        const body = data.subarray(afterTranslated);
        text[latin1(key)] = new TextDecoder().decode(compressed ? inflateSync(body) : body);
        break;
      }
      case "IEND":
        sawEnd = true;
        break;
      default:
        break; // ancillary chunks we do not need
    }
  }
  if (width === 0 || height === 0) throw new Error("PNG has no IHDR chunk");
  if (idat.length === 0) throw new Error("PNG has no IDAT chunk");
  const stored = unfilterScanlines(inflateSync(Buffer.concat(idat)), width, height, storedChannels);
  const pixels = storedChannels < 3 ? expandGrey(stored, storedChannels) : stored;
  return { width, height, channels, pixels, text };
}
