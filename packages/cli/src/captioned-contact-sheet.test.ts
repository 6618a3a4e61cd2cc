import { decodePng, encodePng } from "@atelier/diffusion";
import { describe, expect, it } from "vitest";
import { captionedContactSheet } from "./captioned-contact-sheet.ts";

const solid = (rgb: [number, number, number], size = 64) => encodePng(new Uint8Array(size * size * 3).map((_, i) => rgb[i % 3]!), size, size);
const TILE = 128;

describe("the demo's captioned contact sheet", () => {
  const captions = [
    { index: 0, seed: 42, prompt: "a red circle" },
    { index: 1, seed: 43, prompt: "a very long prompt about a blue square on a green background in the morning light, seen from above" },
    { index: 2, seed: 44, prompt: "" },
  ];
  const sheet = decodePng(captionedContactSheet([solid([200, 0, 0]), solid([0, 0, 200]), solid([0, 200, 0])], captions, { columns: 2, tile: TILE }));
  const band = sheet.height / 2 - TILE;
  const inkIn = (x0: number, y0: number, x1: number, y1: number) => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (sheet.pixels[(y * sheet.width + x) * 3]! > 150 && sheet.pixels[(y * sheet.width + x) * 3 + 1]! > 150) n++;
    return n;
  };

  it("keeps each tile and writes its caption in the band below it, within the tile's width", () => {
    expect(sheet.width).toBe(2 * TILE);
    expect(band).toBeGreaterThan(20);
    expect([...sheet.pixels.subarray(((TILE + band + 64) * sheet.width + 64) * 3, ((TILE + band + 64) * sheet.width + 64) * 3 + 3)]).toEqual([0, 200, 0]);
    expect(inkIn(0, TILE, TILE, TILE + band)).toBeGreaterThan(50);
    // The long prompt is cut to its tile: nothing of it in the last pixels of the sheet's width.
    expect(inkIn(TILE, TILE, 2 * TILE, TILE + band)).toBeGreaterThan(50);
    expect(inkIn(2 * TILE - 3, TILE, 2 * TILE, TILE + band)).toBe(0);
    // The empty cell has no caption.
    expect(inkIn(TILE, 2 * TILE + band, 2 * TILE, 2 * (TILE + band))).toBe(0);
  });
});
