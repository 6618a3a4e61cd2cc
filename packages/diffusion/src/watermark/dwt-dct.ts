// An invisible watermark in the spirit of the `invisible-watermark` package's
// "dwtDct" method, which Stable Diffusion's reference scripts stamp on every
// image: a Haar DWT of one colour channel, 4x4 blocks of its LL band, one bit
// per block by quantizing one coefficient, the payload repeated over all
// blocks and read back by majority. Written here rather than reused because
// that package is Python (OpenCV + PyWavelets). Where it differs, and why:
//   - the channel is JPEG's own Cb (JFIF YCbCr), changed with Y and Cr held,
//     so JPEG's colour conversion and 4:2:0 subsampling (a 2x2 mean, which is
//     what the LL band keeps) leave it alone;
//   - the bit sits in a fixed DCT coefficient (1,1) of each block, where
//     invisible-watermark quantizes the largest raw LL value of the block,
//     whose position itself can move under compression;
//   - a read is a vote of every block that carries a bit, not an average of
//     per-block scores thresholded once.
// Orthonormal transforms throughout, so a coefficient change of d moves the
// block's pixels by d times a unit-norm pattern: the cost in pixels is known.

/** 4x4 blocks of the LL band, that is 8x8 pixels. */
const BLOCK = 4;
/** The coefficient that carries the bit: low enough that JPEG q90 quantizes it finely, off the DC so brightness shifts do not move it. */
const U = 1;
const V = 1;
/** Quantization step of the coefficient; the embedding moves it by at most half of this. */
export const DEFAULT_WATERMARK_STEP = 24;
/** Embedding passes per block at most (clamped pixels need more than one). */
const MAX_PASSES = 4;

// Orthonormal 4-point DCT-II basis: C[k][n] = a(k) cos(pi (2n + 1) k / 8).
const DCT4 = Array.from({ length: BLOCK }, (_, k) =>
  Array.from({ length: BLOCK }, (_, n) => (k === 0 ? Math.sqrt(1 / BLOCK) : Math.sqrt(2 / BLOCK)) * Math.cos((Math.PI * (2 * n + 1) * k) / (2 * BLOCK))),
);
/** The (U, V) basis image over a block of LL: the coefficient is its dot product with the block. */
const BASIS = Array.from({ length: BLOCK * BLOCK }, (_, i) => DCT4[U]![Math.floor(i / BLOCK)]! * DCT4[V]![i % BLOCK]!);

export interface WatermarkOptions {
  /** quantization step (default DEFAULT_WATERMARK_STEP): larger survives more and shows more */
  step?: number;
}

export interface WatermarkRead {
  /** the majority bit per payload position */
  bits: number[];
  /** blocks that voted, over all positions */
  blocks: number;
}

/** JFIF's Cb of one pixel. */
function cb(rgb: Uint8Array, p: number): number {
  return -0.168736 * rgb[p]! - 0.331264 * rgb[p + 1]! + 0.5 * rgb[p + 2]!;
}

function blocksOf(width: number, height: number): { across: number; down: number } {
  return { across: Math.floor(width / (2 * BLOCK)), down: Math.floor(height / (2 * BLOCK)) };
}

/**
 * The block's (U, V) coefficient of the LL band of Cb. LL(i, j) of an
 * orthonormal Haar step is the sum of its 2x2 pixels over 2.
 */
function coefficient(rgb: Uint8Array, width: number, bx: number, by: number): number {
  let sum = 0;
  for (let m = 0; m < BLOCK; m++) {
    for (let n = 0; n < BLOCK; n++) {
      const x = (bx * BLOCK + n) * 2;
      const y = (by * BLOCK + m) * 2;
      const p = (y * width + x) * 3;
      const ll = (cb(rgb, p) + cb(rgb, p + 3) + cb(rgb, p + 3 * width) + cb(rgb, p + 3 * width + 3)) / 2;
      sum += BASIS[m * BLOCK + n]! * ll;
    }
  }
  return sum;
}

function checkImage(rgb: Uint8Array, width: number, height: number): void {
  if (rgb.length !== width * height * 3) throw new Error(`watermark: RGB buffer has ${rgb.length} bytes; ${width}x${height}x3 needs ${width * height * 3}`);
}

/**
 * RGB pixels with `bits` (0/1) embedded, block k carrying bit k mod bits.length.
 * The same pixels and bits give the same output. Pixels past the last whole
 * 8x8 block are left as they are.
 */
export function embedWatermark(rgb: Uint8Array, width: number, height: number, bits: readonly number[], options: WatermarkOptions = {}): Uint8Array {
  checkImage(rgb, width, height);
  const step = options.step ?? DEFAULT_WATERMARK_STEP;
  const { across, down } = blocksOf(width, height);
  if (bits.length === 0 || across * down < bits.length) {
    throw new Error(`watermark: ${width}x${height} has ${across * down} 8x8 blocks; ${bits.length} bits need at least as many`);
  }
  const out = rgb.slice();
  for (let by = 0; by < down; by++) {
    for (let bx = 0; bx < across; bx++) {
      const bit = bits[(by * across + bx) % bits.length]!;
      const c = coefficient(rgb, width, bx, by);
      // Dither modulation: bit 0 on the lattice step*Z, bit 1 on step*(Z + 1/2).
      const target = (Math.round(c / step - bit / 2) + bit / 2) * step;
      // Pixels clamped at 0 or 255 (saturated colours) take only part of a
      // change: push again with what is left, a few times, so that the
      // coefficient still reaches its lattice point where the room is.
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        const delta = target - (pass === 0 ? c : coefficient(out, width, bx, by));
        if (Math.abs(delta) < step / 16) break;
        moveCoefficient(out, width, bx, by, delta);
      }
    }
  }
  return out;
}

/** Adds `delta` to the block's (U, V) coefficient of Cb, holding Y and Cr, rounding and clamping to bytes. */
function moveCoefficient(out: Uint8Array, width: number, bx: number, by: number, delta: number): void {
  for (let m = 0; m < BLOCK; m++) {
    for (let n = 0; n < BLOCK; n++) {
      // An LL change of e moves each of its 2x2 pixels by e / 2.
      const dCb = (delta * BASIS[m * BLOCK + n]!) / 2;
      for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
        const p = (((by * BLOCK + m) * 2 + dy) * width + (bx * BLOCK + n) * 2 + dx) * 3;
        out[p + 1] = clampByte(out[p + 1]! - 0.344136 * dCb);
        out[p + 2] = clampByte(out[p + 2]! + 1.772 * dCb);
      }
    }
  }
}

/** The payload of `length` bits read back from RGB pixels: each position by the majority of its blocks (ties read 0). */
export function readWatermark(rgb: Uint8Array, width: number, height: number, length: number, options: WatermarkOptions = {}): WatermarkRead {
  checkImage(rgb, width, height);
  const step = options.step ?? DEFAULT_WATERMARK_STEP;
  const { across, down } = blocksOf(width, height);
  const votes = new Array<number>(length).fill(0);
  for (let by = 0; by < down; by++) {
    for (let bx = 0; bx < across; bx++) {
      const c = coefficient(rgb, width, bx, by);
      const offset = Math.abs(c / step - Math.round(c / step));
      votes[(by * across + bx) % length]! += offset > 0.25 ? 1 : -1;
    }
  }
  return { bits: votes.map((v) => (v > 0 ? 1 : 0)), blocks: across * down };
}

function clampByte(value: number): number {
  return Math.min(255, Math.max(0, Math.round(value)));
}
