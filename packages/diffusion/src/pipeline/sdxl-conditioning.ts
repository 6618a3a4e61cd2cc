// SDXL's micro-conditioning, `time_ids`, as diffusers builds it
// (StableDiffusionXLPipeline._get_add_time_ids and the img2img pipeline's
// for the refiner), with its defaults: original size = target size = the
// render size, crop top-left (0, 0). Order: (height, width) pairs.
//   base    (6): original h, w, crop top, left, target h, w
//   refiner (5): original h, w, crop top, left, aesthetic score (6 for the prompt, 2.5 for the negative)

export const REFINER_AESTHETIC_SCORE = 6;
export const REFINER_NEGATIVE_AESTHETIC_SCORE = 2.5;

export function sdxlTimeIds(width: number, height: number, count: number, negative: boolean): Float32Array {
  if (count === 6) return Float32Array.of(height, width, 0, 0, height, width);
  if (count === 5) return Float32Array.of(height, width, 0, 0, negative ? REFINER_NEGATIVE_AESTHETIC_SCORE : REFINER_AESTHETIC_SCORE);
  throw new RangeError(`time_ids of width ${count}: SDXL UNets take 6 (base) or 5 (refiner)`);
}
