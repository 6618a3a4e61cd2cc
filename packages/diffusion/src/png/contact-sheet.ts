import { decodePng } from "./png-decode.ts";
import { encodePng } from "./png-encode.ts";

export interface ContactSheetOptions {
  /** tiles per row */
  columns: number;
  /** edge of each square tile in pixels; images are fitted inside, aspect kept */
  tile: number;
}

// Empty cells and letterbox bars; dark so that images stand out.
const BACKGROUND = 24;

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
    const fitWidth = Math.max(1, Math.round(image.width * scale));
    const fitHeight = Math.max(1, Math.round(image.height * scale));
    const originX = (index % columns) * tile + Math.floor((tile - fitWidth) / 2);
    const originY = Math.floor(index / columns) * tile + Math.floor((tile - fitHeight) / 2);
    for (let ty = 0; ty < fitHeight; ty++) {
      const y0 = Math.floor((ty * image.height) / fitHeight);
      const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * image.height) / fitHeight));
      for (let tx = 0; tx < fitWidth; tx++) {
        const x0 = Math.floor((tx * image.width) / fitWidth);
        const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * image.width) / fitWidth));
        const sum = [0, 0, 0];
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            const at = (y * image.width + x) * image.channels;
            const alpha = image.channels === 4 ? image.pixels[at + 3]! / 255 : 1;
            for (let c = 0; c < 3; c++) sum[c]! += image.pixels[at + c]! * alpha + BACKGROUND * (1 - alpha);
          }
        }
        const count = (y1 - y0) * (x1 - x0);
        const out = ((originY + ty) * width + originX + tx) * 3;
        for (let c = 0; c < 3; c++) sheet[out + c] = Math.round(sum[c]! / count);
      }
    }
  });
  return encodePng(sheet, width, height);
}
