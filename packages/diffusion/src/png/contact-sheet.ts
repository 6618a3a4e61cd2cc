import { boxDownscale } from "../image/box-downscale.ts";
import { type DecodedPng, decodePng } from "./png-decode.ts";
import { encodePng } from "./png-encode.ts";

export interface ContactSheetOptions {
  /** tiles per row */
  columns: number;
  /** edge of each square tile in pixels; images are fitted inside, aspect kept */
  tile: number;
}

// Empty cells and letterbox bars; dark so that images stand out.
const BACKGROUND = 24;

/** RGB pixels, RGBA composited over the sheet background. */
function opaque(image: DecodedPng): Uint8Array {
  if (image.channels === 3) return image.pixels;
  const rgb = new Uint8Array(image.width * image.height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    const alpha = image.pixels[i + 3]! / 255;
    for (let c = 0; c < 3; c++) rgb[j + c] = Math.round(image.pixels[i + c]! * alpha + BACKGROUND * (1 - alpha));
  }
  return rgb;
}

/**
 * One RGB PNG showing `pngs` as a grid of downscaled tiles, left to right,
 * top to bottom. Each pixel of a tile is the box average of the source
 * pixels it covers (RGBA is composited over the background first).
 */
export function contactSheet(pngs: Uint8Array[], options: ContactSheetOptions): Uint8Array {
  const { columns, tile } = options;
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`contact sheet columns must be a positive integer (got ${columns})`);
  if (!Number.isInteger(tile) || tile < 1 || tile > 4096) throw new Error(`contact sheet tile must be 1-4096 px (got ${tile})`);
  if (pngs.length === 0) throw new Error("contact sheet needs at least one image");
  const rows = Math.ceil(pngs.length / columns);
  const width = columns * tile;
  const height = rows * tile;
  const sheet = new Uint8Array(width * height * 3).fill(BACKGROUND);
  pngs.forEach((png, index) => {
    const image = decodePng(png);
    const scale = Math.min(tile / image.width, tile / image.height);
    const fit = { width: Math.max(1, Math.round(image.width * scale)), height: Math.max(1, Math.round(image.height * scale)) };
    const tilePixels = boxDownscale(opaque(image), image.width, image.height, 3, fit.width, fit.height);
    const originX = (index % columns) * tile + Math.floor((tile - fit.width) / 2);
    const originY = Math.floor(index / columns) * tile + Math.floor((tile - fit.height) / 2);
    for (let y = 0; y < fit.height; y++) {
      sheet.set(tilePixels.subarray(y * fit.width * 3, (y + 1) * fit.width * 3), ((originY + y) * width + originX) * 3);
    }
  });
  return encodePng(sheet, width, height);
}
