import { Pcg32 } from "./pcg32.ts";

// Every random number of a render comes from its seed alone, through this
// stream, so a seed names the same picture on every machine. Changing
// anything here (stream constant, bit layout, Box–Muller order, the order in
// which the pipeline draws) changes every image ever rendered: treat it as a
// file format.

/** PCG32 stream selector for latent noise (the reference demo's constant 54). */
const LATENT_STREAM: readonly [number, number] = [0, 54];

/**
 * A seeded sequence of standard normal float32 values.
 *
 * PCG32 seeded with initstate = seed, initseq = 54; each pair of values
 * comes from two 53-bit uniforms u1, u2 in (0,1) by Box–Muller in float64:
 * r = sqrt(-2 ln u1), z0 = r cos(2π u2), z1 = r sin(2π u2), rounded to
 * float32. V8 computes log/sin/cos with its own fdlibm port, so the bits do
 * not depend on the CPU or the C library.
 *
 * `next(count)` takes the next `count` values; when `count` is odd the
 * unused second value of the last pair is dropped, so every draw starts on
 * a fresh pair.
 */
export class GaussianStream {
  private readonly rng: Pcg32;

  constructor(seed: number) {
    this.rng = new Pcg32([0, seed >>> 0], LATENT_STREAM);
  }

  next(count: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i += 2) {
      const radius = Math.sqrt(-2 * Math.log(this.rng.nextOpenUnit()));
      const angle = 2 * Math.PI * this.rng.nextOpenUnit();
      out[i] = radius * Math.cos(angle);
      if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
    }
    return out;
  }
}

/** The first `count` values of the seed's stream: a render's initial latent noise. */
export function gaussianNoise(seed: number, count: number): Float32Array {
  return new GaussianStream(seed).next(count);
}
