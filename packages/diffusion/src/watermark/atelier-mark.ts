import { embedWatermark, readWatermark, type WatermarkOptions } from "./dwt-dct.ts";

// Atelier's mark: a fixed 64-bit pattern, as Stable Diffusion's scripts stamp
// the fixed bytes "StableDiffusionV1". Fixed, so that reading it needs no key
// and an error count against it is the bit error rate.

/** The text whose bits (most significant first) are the mark. */
export const ATELIER_MARK_TEXT = "Atelier1";
export const ATELIER_MARK_BITS: readonly number[] = [...Buffer.from(ATELIER_MARK_TEXT, "latin1")].flatMap((byte) =>
  Array.from({ length: 8 }, (_, i) => (byte >> (7 - i)) & 1),
);
/**
 * At most this many of the 64 bits may differ for the mark to count as
 * present. Bits read from an unmarked image match by chance, so 8 or fewer
 * errors happen by chance with probability sum_{k<=8} C(64,k) / 2^64 < 3e-10.
 */
export const MARK_MAX_BIT_ERRORS = 8;

export interface MarkCheck {
  present: boolean;
  /** bits that differ from the mark */
  bitErrors: number;
  /** bitErrors / 64 */
  bitErrorRate: number;
  /** 8x8-pixel blocks that voted */
  blocks: number;
}

/** RGB pixels with Atelier's mark; needs 64 blocks of 8x8 pixels (a 64x64 image). */
export function stampAtelierMark(rgb: Uint8Array, width: number, height: number, options?: WatermarkOptions): Uint8Array {
  return embedWatermark(rgb, width, height, ATELIER_MARK_BITS, options);
}

/** Whether RGB pixels carry Atelier's mark, and how many of its bits read back wrong. */
export function checkAtelierMark(rgb: Uint8Array, width: number, height: number, options?: WatermarkOptions): MarkCheck {
  const read = readWatermark(rgb, width, height, ATELIER_MARK_BITS.length, options);
  const bitErrors = read.bits.reduce((n, bit, i) => n + (bit === ATELIER_MARK_BITS[i] ? 0 : 1), 0);
  const enough = read.blocks >= ATELIER_MARK_BITS.length;
  return { present: enough && bitErrors <= MARK_MAX_BIT_ERRORS, bitErrors, bitErrorRate: bitErrors / ATELIER_MARK_BITS.length, blocks: read.blocks };
}
