import { contactSheet, decodePng, encodePng } from "@atelier/diffusion";
import { lineHeight, renderText, stampText, textWidth } from "@atelier/dataset/grid";

export interface TileCaption {
  index: number;
  seed: number;
  prompt: string;
}

const FONT_SIZE = 11;
const MARGIN = 4;
// The contact sheet's background and a light grey on it.
const BACKGROUND = 24;
const INK = 225;

/**
 * The demo's contact sheet with a caption under each tile, in DejaVu Sans
 * (the grid's face): the item's index and seed, then its prompt, cut with an
 * ellipsis to the tile's width.
 */
export function captionedContactSheet(pngs: Uint8Array[], captions: readonly TileCaption[], options: { columns: number; tile: number }): Uint8Array {
  if (captions.length !== pngs.length) throw new Error(`captionedContactSheet: ${pngs.length} images but ${captions.length} captions`);
  const { columns, tile } = options;
  const sheet = decodePng(contactSheet(pngs, options));
  const line = lineHeight(FONT_SIZE);
  const band = 2 * line + MARGIN;
  const rows = Math.ceil(pngs.length / columns);
  const width = sheet.width;
  const height = rows * (tile + band);
  const canvas = new Uint8Array(width * height * 3).fill(BACKGROUND);
  for (let row = 0; row < rows; row++) {
    const from = row * tile * width * 3;
    canvas.set(sheet.pixels.subarray(from, from + tile * width * 3), row * (tile + band) * width * 3);
  }
  captions.forEach((caption, i) => {
    const left = (i % columns) * tile + MARGIN;
    const top = Math.floor(i / columns) * (tile + band) + tile + MARGIN / 2;
    const room = tile - 2 * MARGIN;
    for (const [n, text] of [`#${caption.index} · seed ${caption.seed}`, shortened(caption.prompt, room)].entries()) {
      stampText(canvas, width, height, renderText(text, FONT_SIZE), left, top + n * line, INK);
    }
  });
  return encodePng(canvas, width, height);
}

/** The text, or as much of it as fits in `maxWidth` pixels followed by an ellipsis. */
function shortened(text: string, maxWidth: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (textWidth(flat, FONT_SIZE) <= maxWidth) return flat;
  let end = flat.length;
  while (end > 0 && textWidth(`${flat.slice(0, end).trimEnd()}…`, FONT_SIZE) > maxWidth) end--;
  return `${flat.slice(0, end).trimEnd()}…`;
}
