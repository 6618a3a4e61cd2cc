import { describe, expect, it } from "vitest";
import { ATELIER_MARK_BITS, checkAtelierMark, stampAtelierMark } from "./atelier-mark.ts";
import { readWatermark } from "./dwt-dct.ts";

/** A textured test image: smooth colour gradients under a seeded pseudo-random texture. */
function texture(width: number, height: number, seed: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  let state = seed >>> 0;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      rgb[p] = Math.round(40 + 150 * (x / width) + 30 * next());
      rgb[p + 1] = Math.round(60 + 120 * (y / height) + 30 * next());
      rgb[p + 2] = Math.round(90 + 80 * Math.sin((x + y) / 17) + 30 * next());
    }
  }
  return rgb;
}

describe("DWT-DCT watermark", () => {
  it("reads back every bit of the mark, block by block, from the stamped pixels", () => {
    const rgb = texture(256, 192, 1);
    const marked = stampAtelierMark(rgb, 256, 192);
    expect(checkAtelierMark(marked, 256, 192)).toEqual({ present: true, bitErrors: 0, bitErrorRate: 0, blocks: 32 * 24 });
    // Each block on its own, before the vote: all right.
    const perBlock = readWatermark(marked, 256, 192, 32 * 24).bits;
    expect(perBlock.every((bit, k) => bit === ATELIER_MARK_BITS[k % 64])).toBe(true);
  });

  it("reaches every block's lattice point in saturated colours, where clamped pixels take only part of a change", () => {
    const rgb = new Uint8Array(128 * 128 * 3);
    for (let k = 0; k < 128 * 128; k++) rgb.set(k % 128 < 64 ? [255, 220, 0] : [30, 60, 255], 3 * k);
    const marked = stampAtelierMark(rgb, 128, 128);
    const perBlock = readWatermark(marked, 128, 128, 16 * 16, { step: 24 });
    expect(perBlock.bits.filter((bit, k) => bit !== ATELIER_MARK_BITS[k % 64])).toEqual([]);
    // With a margin: noise of +-2 in blue and green (as a re-encode adds) moves no block across.
    const noisy = marked.map((v, i) => (i % 3 === 0 ? v : Math.min(255, Math.max(0, v + ((i * 7919) % 5) - 2))));
    const afterNoise = readWatermark(noisy, 128, 128, 16 * 16);
    expect(afterNoise.bits.filter((bit, k) => bit !== ATELIER_MARK_BITS[k % 64])).toEqual([]);
  });

  it("changes the pixels only slightly (PSNR over 40 dB) and the same way every time", () => {
    const rgb = texture(128, 128, 2);
    const marked = stampAtelierMark(rgb, 128, 128);
    let squared = 0;
    for (let i = 0; i < rgb.length; i++) squared += (rgb[i]! - marked[i]!) ** 2;
    const psnr = 10 * Math.log10(255 ** 2 / (squared / rgb.length));
    expect(psnr).toBeGreaterThan(40);
    expect(Buffer.from(stampAtelierMark(rgb, 128, 128)).equals(Buffer.from(marked))).toBe(true);
  });

  it("finds no mark in unmarked pixels", () => {
    for (const seed of [3, 4, 5]) {
      const check = checkAtelierMark(texture(128, 128, seed), 128, 128);
      expect(check.present).toBe(false);
      expect(check.bitErrors).toBeGreaterThan(8);
    }
  });

  it("refuses an image with fewer 8x8 blocks than the mark has bits", () => {
    expect(() => stampAtelierMark(texture(64, 56, 6), 64, 56)).toThrow(/64x56 has 56 8x8 blocks; 64 bits need at least as many/);
    expect(checkAtelierMark(texture(64, 56, 6), 64, 56).present).toBe(false);
  });
});
