import { contactSheet, decodePng, encodePng } from "@atelier/diffusion/png";
import { lineHeight, renderText, stampText, textWidth, wrapText } from "./label-text.ts";

/**
 * One X/Y grid image as A1111's X/Y/Z plot draws it: a column per X value
 * labelled on top, a row per Y value labelled on the left, black DejaVu Sans
 * on white, and (for a Z value) a title above. A cell holds every image with
 * its X and Y values (prompts x seeds), as a small contact sheet. An image
 * that may not be shown (quarantined) keeps its place as a grey tile marked
 * "withheld", so the others stay where their item order puts them.
 */
export interface GridPage {
  /** Column labels ("Sampler: euler"); one empty label when there is no X axis. */
  xLabels: string[];
  yLabels: string[];
  title?: string;
  /** PNG bytes per cell, row by row: cells[y * xLabels.length + x]; null: withheld. */
  cells: (Uint8Array | null)[][];
  /** Edge of the square each image is fitted into, in pixels. */
  tile: number;
}

/** Larger grids are refused: most viewers give up well before this. */
export const MAX_GRID_PIXELS = 256 * 1024 * 1024;

const WHITE = 255;
const INK = 0;
const WITHHELD_GREY = 190;
const WITHHELD_TEXT = "withheld";

export function drawGrid(page: GridPage): Uint8Array {
  const { xLabels, yLabels, tile } = page;
  const perCell = Math.max(1, ...page.cells.map((images) => images.length));
  const sheetColumns = Math.ceil(Math.sqrt(perCell));
  const cellWidth = sheetColumns * tile;
  const cellHeight = Math.ceil(perCell / sheetColumns) * tile;
  // A1111's label size: (width + height) / 25 of one cell.
  const fontSize = Math.min(64, Math.max(12, Math.round((cellWidth + cellHeight) / 25)));
  const line = lineHeight(fontSize);
  const margin = Math.round(fontSize / 2);
  const gap = Math.max(2, Math.round(tile / 32));

  const hasX = xLabels.some(Boolean);
  const hasY = yLabels.some(Boolean);
  const padLeft = hasY ? Math.round((cellWidth * 3) / 4) : 0;
  const xLines = xLabels.map((label) => (label ? wrapText(label, fontSize, cellWidth - 2 * margin) : []));
  const yLines = yLabels.map((label) => (label ? wrapText(label, fontSize, padLeft - 2 * margin) : []));
  const width = padLeft + xLabels.length * (cellWidth + gap) + gap;
  const titleLines = page.title ? wrapText(page.title, fontSize, width - 2 * margin) : [];
  const titleHeight = titleLines.length > 0 ? titleLines.length * line + 2 * margin : 0;
  const labelHeight = hasX ? Math.max(...xLines.map((lines) => lines.length)) * line + 2 * margin : 0;
  const padTop = titleHeight + labelHeight;
  const height = padTop + yLabels.length * (cellHeight + gap) + gap;
  if (width * height > MAX_GRID_PIXELS) {
    throw new Error(`the grid would be ${width}x${height} pixels, more than ${MAX_GRID_PIXELS / 1024 / 1024} megapixels; give a smaller --tile (now ${tile})`);
  }

  const canvas = new Uint8Array(width * height * 3).fill(WHITE);
  const drawLines = (lines: string[], centreX: number, top: number) => {
    lines.forEach((text, i) => {
      const mask = renderText(text, fontSize);
      stampText(canvas, width, height, mask, Math.round(centreX - mask.width / 2), top + i * line, INK);
    });
  };
  drawLines(titleLines, width / 2, margin);
  xLines.forEach((lines, x) => drawLines(lines, padLeft + gap + x * (cellWidth + gap) + cellWidth / 2, titleHeight + margin));
  yLines.forEach((lines, y) => {
    const rowTop = padTop + gap + y * (cellHeight + gap);
    drawLines(lines, padLeft / 2, Math.round(rowTop + (cellHeight - lines.length * line) / 2));
  });
  // One grey tile stands in for every withheld image; its label is stamped where it lands.
  let withheldTile: Uint8Array | undefined;
  const withheldLabel = renderText(WITHHELD_TEXT, Math.max(8, Math.min(fontSize, Math.floor((tile * 0.8 * fontSize) / Math.max(1, textWidth(WITHHELD_TEXT, fontSize))))));
  page.cells.forEach((images, index) => {
    if (images.length === 0) return;
    const withheld = images.some((png) => png === null);
    if (withheld) withheldTile ??= encodePng(new Uint8Array(tile * tile * 3).fill(WITHHELD_GREY), tile, tile);
    const sheet = decodePng(contactSheet(images.map((png) => png ?? withheldTile!), { columns: sheetColumns, tile }));
    const left = padLeft + gap + (index % xLabels.length) * (cellWidth + gap);
    const top = padTop + gap + Math.floor(index / xLabels.length) * (cellHeight + gap);
    for (let row = 0; row < sheet.height; row++) {
      canvas.set(sheet.pixels.subarray(row * sheet.width * 3, (row + 1) * sheet.width * 3), ((top + row) * width + left) * 3);
    }
    images.forEach((png, n) => {
      if (png !== null) return;
      const tileLeft = left + (n % sheetColumns) * tile;
      const tileTop = top + Math.floor(n / sheetColumns) * tile;
      stampText(canvas, width, height, withheldLabel, Math.round(tileLeft + (tile - withheldLabel.width) / 2), Math.round(tileTop + (tile - withheldLabel.height) / 2), INK);
    });
  });
  return encodePng(canvas, width, height);
}
