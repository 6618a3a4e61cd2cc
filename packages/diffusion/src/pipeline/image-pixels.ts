/**
 * Planar [3,H,W] float image in [-1,1] to interleaved 8-bit RGB, rounding
 * as diffusers does: round(clamp((x + 1) / 2, 0, 1) * 255).
 */
export function planarToRgb8(image: Float32Array, width: number, height: number): Uint8Array {
  const plane = width * height;
  const rgb = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      const unit = Math.min(1, Math.max(0, (image[c * plane + i]! + 1) / 2));
      rgb[i * 3 + c] = Math.round(unit * 255);
    }
  }
  return rgb;
}
