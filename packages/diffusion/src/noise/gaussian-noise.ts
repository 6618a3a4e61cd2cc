import { Pcg32 } from "./pcg32.ts";

// The initial latents of a render come from its seed alone, through this
// function, so a seed names the same picture on every machine. Changing
// anything here (stream constant, bit layout, Box–Muller order) changes every
// image ever rendered: treat it as a file format.

/** PCG32 stream selector for latent noise (the reference demo's constant 54). */
const LATENT_STREAM: readonly [number, number] = [0, 54];

/**
 * `count` standard normal float32 values from a uint32 seed.
 *
 * PCG32 seeded with initstate = seed, initseq = 54; each pair of outputs
 * comes from two 53-bit uniforms u1, u2 in (0,1) by Box–Muller in float64:
 * r = sqrt(-2 ln u1), z0 = r cos(2π u2), z1 = r sin(2π u2), rounded to
 * float32. V8 computes log/sin/cos with its own fdlibm port, so the bits do
 * not depend on the CPU or the C library.
 */
export function gaussianNoise(seed: number, count: number): Float32Array {
  const rng = new Pcg32([0, seed >>> 0], LATENT_STREAM);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(rng.nextOpenUnit()));
    const angle = 2 * Math.PI * rng.nextOpenUnit();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}
