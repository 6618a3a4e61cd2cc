// A float32 fused multiply-add, a·b + c rounded once, as an FMA instruction
// computes it. JavaScript has no fma; the product of two float32 values is
// exact in a double, but the sum may not be, and rounding that sum to double
// and then to float32 can round twice the wrong way. So the sum's rounding
// error is recovered (TwoSum) and the double rounded to odd before the final
// rounding: a double rounded to odd has enough spare bits (53 ≥ 24 + 2) that
// rounding it to float32 gives the correctly rounded result.

const f64 = new Float64Array(1);
const words = new Uint32Array(f64.buffer);
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** fma(a, b, c) in float32: a, b, c must be float32 values. */
export function fma32(a: number, b: number, c: number): number {
  const product = a * b;
  const sum = product + c;
  const virtualC = sum - product;
  const error = product - (sum - virtualC) + (c - virtualC);
  if (error === 0 || !Number.isFinite(sum)) return Math.fround(sum);
  f64[0] = sum;
  let low = words[LOW]!;
  if ((low & 1) === 0) {
    // Round to odd: step to the odd neighbour on the exact value's side.
    let high = words[1 - LOW]!;
    if (error > 0 === sum > 0) low += 1;
    else if (low === 0) {
      low = 0xffffffff;
      high -= 1;
    } else low -= 1;
    words[LOW] = low;
    words[1 - LOW] = high;
  }
  return Math.fround(f64[0]);
}
