// Pillow's Image.resize(..., BICUBIC) on 8-bit RGB: a separable convolution
// whose kernel (Keys cubic, a = -0.5) is stretched by the downscale factor,
// so shrinking averages instead of aliasing. Computed in float64 and rounded
// to 8 bits after each pass; Pillow works in fixed point, so values can
// differ from it by one level.

function cubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

interface Taps {
  start: number;
  weights: number[];
}

function taps(inSize: number, outSize: number): Taps[] {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  return Array.from({ length: outSize }, (_, i) => {
    const centre = (i + 0.5) * scale;
    const start = Math.max(Math.trunc(centre - support + 0.5), 0);
    const end = Math.min(Math.trunc(centre + support + 0.5), inSize);
    const weights = Array.from({ length: end - start }, (_, k) => cubic((k + start - centre + 0.5) / filterScale));
    const total = weights.reduce((a, b) => a + b, 0);
    return { start, weights: weights.map((w) => (total === 0 ? 0 : w / total)) };
  });
}

const toByte = (v: number) => Math.min(255, Math.max(0, Math.round(v)));

/** Interleaved RGB (3 channels) resized to outWidth x outHeight. */
export function resizeBicubicRgb(rgb: Uint8Array, width: number, height: number, outWidth: number, outHeight: number): Uint8Array {
  const horizontal = taps(width, outWidth);
  const vertical = taps(height, outHeight);
  const wide = new Uint8Array(outWidth * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      const { start, weights } = horizontal[x]!;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k]! * rgb[(y * width + start + k) * 3 + c]!;
        wide[(y * outWidth + x) * 3 + c] = toByte(sum);
      }
    }
  }
  const out = new Uint8Array(outWidth * outHeight * 3);
  for (let y = 0; y < outHeight; y++) {
    const { start, weights } = vertical[y]!;
    for (let x = 0; x < outWidth; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k]! * wide[((start + k) * outWidth + x) * 3 + c]!;
        out[(y * outWidth + x) * 3 + c] = toByte(sum);
      }
    }
  }
  return out;
}
