/**
 * Planar [3,H,W] float image in [-1,1] to interleaved 8-bit RGB, rounding
 * as diffusers does: round(clamp((x + 1) / 2, 0, 1) * 255).
 */
export function planarToRgb8(image: Float32Array, width: number, height: number): Uint8Array {
  const plane = width * height;
  const rgb = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const offset = c * plane;
    for (let i = 0, j = c; i < plane; i++, j += 3) {
      const unit = (image[offset + i]! + 1) / 2;
      // Written out instead of Math.min/max: this loop runs over every pixel of every image.
      rgb[j] = unit <= 0 ? 0 : unit >= 1 ? 255 : Math.round(unit * 255);
    }
  }
  return rgb;
}
