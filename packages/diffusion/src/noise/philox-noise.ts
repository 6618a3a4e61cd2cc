// AUTOMATIC1111's "NV" random number source (modules/rng_philox.py), which
// reproduces torch.randn(..., device="cuda") without a GPU, so that a seed
// gives the same latents on any machine; stable-diffusion.cpp ports it too.
// Philox 4x32 with 10 rounds: for value i of a call, counter = (offset, 0,
// i, 0), key = (seed low, seed high); the first two output words feed one
// Box–Muller (sine half only) in double, rounded to float32. Each call uses
// the next offset, so a sampler's later draws continue the stream.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
// A1111's constants are float32: 2⁻³² as 2.3283064e-10 and that times 6.2831855.
const TWO_POW32_INV = Math.fround(2.3283064e-10);
const TWO_POW32_INV_2PI = Math.fround(2.3283064e-10 * 6.2831855);

/** The high and low 32 bits of a·b for uint32 a, b. */
function mulHiLo(a: number, b: number): [number, number] {
  const aHi = a >>> 16;
  const aLo = a & 0xffff;
  const bHi = b >>> 16;
  const bLo = b & 0xffff;
  const lolo = aLo * bLo;
  const mid1 = aHi * bLo;
  const mid2 = aLo * bHi;
  const hihi = aHi * bHi;
  const carry = ((lolo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  const high = (hihi + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
  const low = Math.imul(a, b) >>> 0;
  return [high, low];
}

export class PhiloxNoise {
  private offset = 0;
  private readonly keyLow: number;
  private readonly keyHigh: number;

  constructor(seed: number) {
    // Seeds here are uint32, so the key's high word is 0.
    this.keyLow = seed >>> 0;
    this.keyHigh = Math.floor(seed / 2 ** 32) >>> 0;
  }

  next(count: number): Float32Array {
    const out = new Float32Array(count);
    const offset = this.offset++;
    for (let i = 0; i < count; i++) {
      let c0 = offset >>> 0;
      let c1 = 0;
      let c2 = i >>> 0;
      let c3 = 0;
      let k0 = this.keyLow;
      let k1 = this.keyHigh;
      for (let round = 0; round < 10; round++) {
        const [hi0, lo0] = mulHiLo(c0, M0);
        const [hi1, lo1] = mulHiLo(c2, M1);
        c0 = (hi1 ^ c1 ^ k0) >>> 0;
        c1 = lo1;
        c2 = (hi0 ^ c3 ^ k1) >>> 0;
        c3 = lo0;
        k0 = (k0 + W0) >>> 0;
        k1 = (k1 + W1) >>> 0;
      }
      const u = c0 * TWO_POW32_INV + TWO_POW32_INV / 2;
      const v = c1 * TWO_POW32_INV_2PI + TWO_POW32_INV_2PI / 2;
      out[i] = Math.sqrt(-2 * Math.log(u)) * Math.sin(v);
    }
    return out;
  }
}
