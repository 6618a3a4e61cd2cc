import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * Grid labels in DejaVu Sans, the face A1111 draws its grids with, from the
 * @fontsource/dejavu-sans package (DejaVu's licence: free to use and ship).
 * opentype.js reads the font; it draws only onto an HTML canvas, so the
 * glyph outlines are filled here into a coverage mask.
 */
const FONT_FILE = "@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff";

// opentype.js 2 ships no type declarations: the part of its API used here.
type PathCommand =
  | { type: "M" | "L"; x: number; y: number }
  | { type: "Q"; x1: number; y1: number; x: number; y: number }
  | { type: "C"; x1: number; y1: number; x2: number; y2: number; x: number; y: number }
  | { type: "Z" };
interface Glyph {
  advanceWidth?: number;
  getPath(x: number, y: number, fontSize: number): { commands: PathCommand[] };
}
interface Font {
  unitsPerEm: number;
  ascender: number;
  descender: number;
  charToGlyph(char: string): Glyph;
  getKerningValue(left: Glyph, right: Glyph): number;
}
const require = createRequire(import.meta.url);
const opentype = require("opentype.js") as { parse(buffer: ArrayBuffer): Font };

let font: Font | undefined;

export function labelFont(): Font {
  if (!font) {
    const bytes = readFileSync(require.resolve(FONT_FILE));
    font = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  return font;
}

/** A line of text as coverage (0-255) per pixel, `height` = the font's line height. */
export interface TextMask {
  width: number;
  height: number;
  coverage: Uint8Array;
}

/** The line's advance width in pixels. Glyphs are placed one by one with kerning (opentype.js's own layout trips on DejaVu's ccmp table). */
export function textWidth(text: string, fontSize: number): number {
  return layout(text, fontSize).width;
}

function layout(text: string, fontSize: number): { glyphs: { x: number; glyph: Glyph }[]; width: number } {
  const face = labelFont();
  const scale = fontSize / face.unitsPerEm;
  const glyphs: { x: number; glyph: Glyph }[] = [];
  let x = 0;
  let previous: Glyph | undefined;
  for (const char of text) {
    const glyph = face.charToGlyph(char);
    if (previous) x += face.getKerningValue(previous, glyph) * scale;
    glyphs.push({ x, glyph });
    x += (glyph.advanceWidth ?? 0) * scale;
    previous = glyph;
  }
  return { glyphs, width: Math.ceil(x) };
}

export function lineHeight(fontSize: number): number {
  const face = labelFont();
  return Math.ceil(((face.ascender - face.descender) / face.unitsPerEm) * fontSize);
}

export function renderText(text: string, fontSize: number): TextMask {
  const face = labelFont();
  const { glyphs, width } = layout(text, fontSize);
  const height = lineHeight(fontSize);
  const baseline = (face.ascender / face.unitsPerEm) * fontSize;
  const commands = glyphs.flatMap(({ x, glyph }) => glyph.getPath(x, baseline, fontSize).commands);
  return { width: Math.max(1, width), height, coverage: fillPath(commands, Math.max(1, width), height) };
}

/** Breaks text into lines no wider than maxWidth, at spaces where it can (a single long word is cut). */
export function wrapText(text: string, fontSize: number, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (textWidth(candidate, fontSize) <= maxWidth || !line) line = candidate;
    else {
      lines.push(line);
      line = word;
    }
    while (textWidth(line, fontSize) > maxWidth && line.length > 1) {
      let cut = line.length - 1;
      while (cut > 1 && textWidth(line.slice(0, cut), fontSize) > maxWidth) cut--;
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [""];
}

interface Edge {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

// Sub-scanlines per pixel row; each span adds its exact horizontal coverage.
const SUBROWS = 5;
const CURVE_SEGMENTS = 8;

/** Fills outlines (non-zero winding) with anti-aliasing: coverage 0-255 per pixel. */
export function fillPath(commands: PathCommand[], width: number, height: number): Uint8Array {
  const edges = flatten(commands);
  const coverage = new Float32Array(width * height);
  const crossings: { x: number; winding: number }[] = [];
  for (let row = 0; row < height; row++) {
    for (let s = 0; s < SUBROWS; s++) {
      const y = row + (s + 0.5) / SUBROWS;
      crossings.length = 0;
      for (const e of edges) {
        if ((e.y0 <= y && y < e.y1) || (e.y1 <= y && y < e.y0)) {
          crossings.push({ x: e.x0 + ((y - e.y0) / (e.y1 - e.y0)) * (e.x1 - e.x0), winding: e.y1 > e.y0 ? 1 : -1 });
        }
      }
      crossings.sort((a, b) => a.x - b.x);
      let winding = 0;
      for (let c = 0; c < crossings.length - 1; c++) {
        winding += crossings[c]!.winding;
        if (winding !== 0) addSpan(coverage, row * width, width, crossings[c]!.x, crossings[c + 1]!.x);
      }
    }
  }
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = Math.round(Math.min(1, coverage[i]! / SUBROWS) * 255);
  return mask;
}

function addSpan(coverage: Float32Array, rowStart: number, width: number, from: number, to: number): void {
  const a = Math.max(0, from);
  const b = Math.min(width, to);
  if (b <= a) return;
  const first = Math.floor(a);
  const last = Math.min(width - 1, Math.floor(b));
  if (first === last) {
    coverage[rowStart + first]! += b - a;
    return;
  }
  coverage[rowStart + first]! += first + 1 - a;
  for (let x = first + 1; x < last; x++) coverage[rowStart + x]! += 1;
  if (last < width) coverage[rowStart + last]! += b - last;
}

function flatten(commands: PathCommand[]): Edge[] {
  const edges: Edge[] = [];
  let x = 0;
  let y = 0;
  let startX = 0;
  let startY = 0;
  const line = (toX: number, toY: number) => {
    if (toY !== y) edges.push({ x0: x, y0: y, x1: toX, y1: toY });
    x = toX;
    y = toY;
  };
  for (const command of commands) {
    switch (command.type) {
      case "M":
        if (x !== startX || y !== startY) line(startX, startY);
        x = startX = command.x;
        y = startY = command.y;
        break;
      case "L":
        line(command.x, command.y);
        break;
      case "Q": {
        const [fromX, fromY] = [x, y];
        for (let i = 1; i <= CURVE_SEGMENTS; i++) {
          const t = i / CURVE_SEGMENTS;
          const u = 1 - t;
          line(u * u * fromX + 2 * u * t * command.x1 + t * t * command.x, u * u * fromY + 2 * u * t * command.y1 + t * t * command.y);
        }
        break;
      }
      case "C": {
        const [fromX, fromY] = [x, y];
        for (let i = 1; i <= CURVE_SEGMENTS; i++) {
          const t = i / CURVE_SEGMENTS;
          const u = 1 - t;
          line(
            u * u * u * fromX + 3 * u * u * t * command.x1 + 3 * u * t * t * command.x2 + t * t * t * command.x,
            u * u * u * fromY + 3 * u * u * t * command.y1 + 3 * u * t * t * command.y2 + t * t * t * command.y,
          );
        }
        break;
      }
      case "Z":
        line(startX, startY);
        break;
    }
  }
  if (x !== startX || y !== startY) line(startX, startY);
  return edges;
}

/** Blends `ink` (a grey level) into an RGB canvas by the mask's coverage, clipped to the canvas. */
export function stampText(canvas: Uint8Array, width: number, height: number, mask: TextMask, left: number, top: number, ink: number): void {
  for (let y = 0; y < mask.height; y++) {
    const cy = top + y;
    if (cy < 0 || cy >= height) continue;
    for (let x = 0; x < mask.width; x++) {
      const cx = left + x;
      const alpha = mask.coverage[y * mask.width + x]! / 255;
      if (alpha === 0 || cx < 0 || cx >= width) continue;
      const at = (cy * width + cx) * 3;
      for (let c = 0; c < 3; c++) canvas[at + c] = Math.round(canvas[at + c]! * (1 - alpha) + ink * alpha);
    }
  }
}
