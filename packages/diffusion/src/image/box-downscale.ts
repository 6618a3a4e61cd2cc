/**
 * Interleaved 8-bit pixels downscaled by box filtering: each output pixel is
 * the rounded mean of the source pixels its area covers (at least one).
 */
export function boxDownscale(pixels: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number): Uint8Array {
  const out = new Uint8Array(outWidth * outHeight * channels);
  for (let c = 0; c < channels; c++) {
    // One channel at a time keeps the inner loop to a single running sum.
    for (let ty = 0; ty < outHeight; ty++) {
      const y0 = Math.floor((ty * height) / outHeight);
      const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * height) / outHeight));
      for (let tx = 0; tx < outWidth; tx++) {
        const x0 = Math.floor((tx * width) / outWidth);
        const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * width) / outWidth));
        let sum = 0;
        for (let y = y0; y < y1; y++) {
          const end = (y * width + x1) * channels + c;
          for (let at = (y * width + x0) * channels + c; at < end; at += channels) sum += pixels[at]!;
        }
        out[(ty * outWidth + tx) * channels + c] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
      }
    }
  }
  return out;
}

/** The size that fits `maxSide` on the longer side with the aspect kept (never upscaled, at least 1 px). */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
