// Tiled VAE decoding for images whose one-shot decode would not fit: the
// latents are cut into overlapping tiles, each decoded on its own, and each
// pixel is the weighted mean of the tiles that cover it:
//  - a tile's weight falls linearly from 1 to 0 toward each of its inner
//    edges (edges on the image border do not count), over overlap - 2·margin,
//    so neighbouring tiles fade into each other without a seam;
//  - within `margin` of an inner edge the weight is 0, so pixels next to a
//    cut come only from tiles that have context around them. Neighbouring
//    tiles overlap by at least `overlap` > 2·margin, so every pixel has
//    some tile with weight.
// A decoder whose output pixel depends only on latents within `margin`
// (convolutions, upsampling: a local decoder) therefore gives the untiled
// result up to float rounding. SD's real VAE is not local (GroupNorm over
// the whole image, attention in its middle block): tiles then differ from
// one-shot decoding by the statistics each tile sees, as in every tiled-VAE
// implementation; the blending hides the seams.

export interface VaeTiling {
  /** tile side in latent pixels (x8 in image pixels) */
  tileLatentPx: number;
  /** overlap between neighbouring tiles in latent pixels; more than 2 x margin */
  overlapLatentPx: number;
  /** latent pixels next to an inner tile edge that get no weight */
  marginLatentPx: number;
}

export const DEFAULT_VAE_TILING: VaeTiling = { tileLatentPx: 96, overlapLatentPx: 24, marginLatentPx: 4 };

/** Decodes latents [1,C,h,w] to an image [1,3,8h,8w] (the VAE decoder session). */
export type LatentDecoder = (latents: Float32Array, dims: readonly number[], width: number, height: number) => Promise<Float32Array>;

export function checkTiling(tiling: VaeTiling): void {
  const { tileLatentPx: tile, overlapLatentPx: overlap, marginLatentPx: margin } = tiling;
  for (const [name, value] of Object.entries(tiling)) if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer (got ${value})`);
  if (overlap <= 2 * margin) throw new RangeError(`overlapLatentPx (${overlap}) must exceed twice marginLatentPx (${margin}): the fade needs room between the margins`);
  if (tile <= overlap) throw new RangeError(`tileLatentPx (${tile}) must exceed overlapLatentPx (${overlap})`);
}

/** Start offsets of the tiles along an axis of `length`: stride tile - overlap, the last one flush with the end. */
export function tileStarts(length: number, tile: number, overlap: number): number[] {
  if (length <= tile) return [0];
  const starts: number[] = [];
  for (let start = 0; start + tile < length; start += tile - overlap) starts.push(start);
  starts.push(length - tile);
  return starts;
}

/** Weights of the tile at latent `start` along one axis of `length`, per image pixel of the tile. */
function axisWeights(start: number, tileLength: number, length: number, tiling: VaeTiling, scale: number): Float32Array {
  const weights = new Float32Array(tileLength * scale);
  const m = tiling.marginLatentPx * scale;
  const ramp = (tiling.overlapLatentPx - 2 * tiling.marginLatentPx) * scale;
  const innerStart = start > 0;
  const innerEnd = start + tileLength < length;
  for (let i = 0; i < weights.length; i++) {
    const fromStart = innerStart ? i + 0.5 : Infinity;
    const fromEnd = innerEnd ? weights.length - i - 0.5 : Infinity;
    weights[i] = Math.max(0, Math.min(1, (Math.min(fromStart, fromEnd) - m) / ramp));
  }
  return weights;
}

/** Copies latents[:, y0:y0+h, x0:x0+w] of a [C,H,W] tensor. */
function cropLatents(latents: Float32Array, channels: number, height: number, width: number, y0: number, x0: number, h: number, w: number): Float32Array {
  const out = new Float32Array(channels * h * w);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      const from = (c * height + y0 + y) * width + x0;
      out.set(latents.subarray(from, from + w), (c * h + y) * w);
    }
  }
  return out;
}

/**
 * The image [3, 8h, 8w] of latents [C, h, w], decoded tile by tile. Peak
 * memory: the output plus one tile's decode, instead of the whole image's
 * decoder activations.
 */
export async function decodeTiled(decode: LatentDecoder, latents: Float32Array, channels: number, latentHeight: number, latentWidth: number, tiling: VaeTiling, scale = 8): Promise<Float32Array> {
  checkTiling(tiling);
  const tileH = Math.min(tiling.tileLatentPx, latentHeight);
  const tileW = Math.min(tiling.tileLatentPx, latentWidth);
  const rows = tileStarts(latentHeight, tiling.tileLatentPx, tiling.overlapLatentPx);
  const cols = tileStarts(latentWidth, tiling.tileLatentPx, tiling.overlapLatentPx);
  const width = latentWidth * scale;
  const height = latentHeight * scale;
  const plane = width * height;
  const image = new Float32Array(3 * plane);
  const total = new Float32Array(plane);
  const colWeights = cols.map((x0) => axisWeights(x0, tileW, latentWidth, tiling, scale));
  for (const y0 of rows) {
    const rowWeights = axisWeights(y0, tileH, latentHeight, tiling, scale);
    for (const [j, x0] of cols.entries()) {
      const tile = cropLatents(latents, channels, latentHeight, latentWidth, y0, x0, tileH, tileW);
      const pixels = await decode(tile, [1, channels, tileH, tileW], tileW * scale, tileH * scale);
      const tw = tileW * scale;
      const th = tileH * scale;
      const wx = colWeights[j]!;
      for (let y = 0; y < th; y++) {
        const wy = rowWeights[y]!;
        if (wy === 0) continue;
        const at = (y0 * scale + y) * width + x0 * scale;
        for (let x = 0; x < tw; x++) total[at + x]! += wy * wx[x]!;
        for (let c = 0; c < 3; c++) {
          const out = c * plane + at;
          const src = (c * th + y) * tw;
          for (let x = 0; x < tw; x++) image[out + x]! += wy * wx[x]! * pixels[src + x]!;
        }
      }
    }
  }
  for (let c = 0; c < 3; c++) for (let k = 0; k < plane; k++) image[c * plane + k]! /= total[k]!;
  return image;
}
