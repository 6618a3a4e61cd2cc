// PCG32 (PCG-XSH-RR 64/32, O'Neill 2014), the generator of pcg-random.org's
// reference `pcg32_srandom_r` / `pcg32_random_r`. Written with 32-bit halves
// and exact integer arithmetic so every platform and JS engine yields the
// same sequence; BigInt would work too but is an order of magnitude slower.

const MULT_HI = 0x5851f42d; // 6364136223846793005 = 0x5851f42d_4c957f2d
const MULT_LO = 0x4c957f2d;

/** High 32 bits of the 64-bit product of two uint32 values, exactly. */
function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const lo = a0 * b0;
  const mid1 = a1 * b0;
  const mid2 = a0 * b1;
  const carry = ((lo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (a1 * b1 + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}

export class Pcg32 {
  private stateHi = 0;
  private stateLo = 0;
  private readonly incHi: number;
  private readonly incLo: number;

  /**
   * Seeds like `pcg32_srandom_r(initstate, initseq)`; both are 64-bit values
   * given as [high, low] uint32 halves.
   */
  constructor(initState: readonly [number, number], initSeq: readonly [number, number] = [0, 54]) {
    // inc = (initseq << 1) | 1
    this.incHi = ((initSeq[0] << 1) | (initSeq[1] >>> 31)) >>> 0;
    this.incLo = ((initSeq[1] << 1) | 1) >>> 0;
    this.nextUint32();
    this.add(initState[0] >>> 0, initState[1] >>> 0);
    this.nextUint32();
  }

  /** The next uniformly distributed uint32. */
  nextUint32(): number {
    const oldHi = this.stateHi;
    const oldLo = this.stateLo;
    // state = state * MULT + inc  (mod 2^64)
    const lo = Math.imul(oldLo, MULT_LO) >>> 0;
    const hi = (mulHi32(oldLo, MULT_LO) + Math.imul(oldLo, MULT_HI) + Math.imul(oldHi, MULT_LO)) >>> 0;
    this.stateHi = hi;
    this.stateLo = lo;
    this.add(this.incHi, this.incLo);
    // output = rotr32(((old >> 18) ^ old) >> 27, old >> 59)
    const xHi = (oldHi ^ (oldHi >>> 18)) >>> 0;
    const xLo = (oldLo ^ ((oldLo >>> 18) | (oldHi << 14))) >>> 0;
    const xorShifted = ((xLo >>> 27) | (xHi << 5)) >>> 0;
    const rot = oldHi >>> 27;
    return ((xorShifted >>> rot) | (xorShifted << ((32 - rot) & 31))) >>> 0;
  }

  /** A uniform double in (0, 1) with 53 random bits; never 0, so log() is safe. */
  nextOpenUnit(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low + 0.5) / 9007199254740992;
  }

  private add(hi: number, lo: number): void {
    const sumLo = this.stateLo + lo;
    this.stateLo = sumLo >>> 0;
    this.stateHi = (this.stateHi + hi + (sumLo > 0xffffffff ? 1 : 0)) >>> 0;
  }
}
