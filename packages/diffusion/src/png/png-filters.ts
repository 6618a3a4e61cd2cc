// PNG scanline filters (RFC 2083 §6). Decoding must handle all five types
// because other encoders pick freely. The encoder uses one type for the
// whole image, picked on a sample of rows: trying all five on every row
// (libpng's way) costs five filter passes and gains little once zlib's RLE
// strategy compresses the result.

export const FILTER_NONE = 0;
export const FILTER_SUB = 1;
export const FILTER_UP = 2;
export const FILTER_AVERAGE = 3;
export const FILTER_PAETH = 4;

/** "sampled": the type with the smallest cost on every 8th row, for all rows */
export type FilterChoice = "sampled" | 0 | 1 | 2 | 3 | 4;

const SAMPLE_EVERY_ROWS = 8;

// |byte as int8|, the cost the heuristic sums (libpng's "minimum sum of absolute differences")
const SIGNED_MAGNITUDE = Uint8Array.from({ length: 256 }, (_, b) => (b < 128 ? b : 256 - b));

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

// One loop per type, first pixel split off, so the per-byte work has no
// branches.
function filterRow(type: number, row: Uint8Array, prev: Uint8Array, bpp: number, out: Uint8Array): void {
  const n = row.length;
  const head = Math.min(bpp, n);
  switch (type) {
    case FILTER_NONE:
      out.set(row);
      return;
    case FILTER_SUB:
      for (let i = 0; i < head; i++) out[i] = row[i]!;
      for (let i = bpp; i < n; i++) out[i] = row[i]! - row[i - bpp]!;
      return;
    case FILTER_UP:
      for (let i = 0; i < n; i++) out[i] = row[i]! - prev[i]!;
      return;
    case FILTER_AVERAGE:
      for (let i = 0; i < head; i++) out[i] = row[i]! - (prev[i]! >>> 1);
      for (let i = bpp; i < n; i++) out[i] = row[i]! - ((row[i - bpp]! + prev[i]!) >>> 1);
      return;
    default:
      for (let i = 0; i < head; i++) out[i] = row[i]! - prev[i]!; // Paeth with a = c = 0 picks b
      for (let i = bpp; i < n; i++) {
        // paeth() inlined: this is the hottest loop of PNG encoding.
        const a = row[i - bpp]!;
        const b = prev[i]!;
        const c = prev[i - bpp]!;
        const pa = b > c ? b - c : c - b;
        const pb = a > c ? a - c : c - a;
        const pc = a + b > 2 * c ? a + b - 2 * c : 2 * c - a - b;
        out[i] = row[i]! - (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
  }
}

function magnitude(bytes: Uint8Array): number {
  let score = 0;
  for (let i = 0; i < bytes.length; i++) score += SIGNED_MAGNITUDE[bytes[i]!]!;
  return score;
}

/** The filter type whose output has the smallest cost summed over a sample of rows; ties go to the lower type. */
function sampledFilter(pixels: Uint8Array, width: number, height: number, bpp: number): number {
  const stride = width * bpp;
  const zeroRow = new Uint8Array(stride);
  const scratch = new Uint8Array(stride);
  const costs = [0, 0, 0, 0, 0];
  for (let y = 0; y < height; y += SAMPLE_EVERY_ROWS) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : zeroRow;
    for (let type = 0; type < 5; type++) {
      filterRow(type, row, prev, bpp, scratch);
      costs[type]! += magnitude(scratch);
    }
  }
  return costs.indexOf(Math.min(...costs));
}

/** Filtered scanlines, each prefixed by its filter type byte, ready for zlib. */
export function filterScanlines(pixels: Uint8Array, width: number, height: number, bpp: number, choice: FilterChoice): Uint8Array {
  const stride = width * bpp;
  const type = choice === "sampled" ? sampledFilter(pixels, width, height, bpp) : choice;
  const out = new Uint8Array(height * (stride + 1));
  const zeroRow = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : zeroRow;
    out[y * (stride + 1)] = type;
    filterRow(type, row, prev, bpp, out.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
  }
  return out;
}

/** Reverses filterScanlines in place of a fresh pixel buffer. */
export function unfilterScanlines(data: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  if (data.length < height * (stride + 1)) throw new Error(`PNG image data is truncated (${data.length} bytes for ${width}x${height})`);
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const type = data[y * (stride + 1)]!;
    const src = data.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const rowStart = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? row[i - bpp]! : 0;
      const b = y > 0 ? pixels[rowStart - stride + i]! : 0;
      const c = y > 0 && i >= bpp ? pixels[rowStart - stride + i - bpp]! : 0;
      let predictor: number;
      switch (type) {
        case FILTER_NONE: predictor = 0; break;
        case FILTER_SUB: predictor = a; break;
        case FILTER_UP: predictor = b; break;
        case FILTER_AVERAGE: predictor = (a + b) >>> 1; break;
        case FILTER_PAETH: predictor = paeth(a, b, c); break;
        default: throw new Error(`PNG row ${y} has unknown filter type ${type}`);
      }
      row[i] = (src[i]! + predictor) & 0xff;
    }
  }
  return pixels;
}
