import { fma32 } from "./float32-fma.ts";

// torch's normal_fill_16_AVX2 (aten/src/ATen/native/cpu/DistributionTemplates.h)
// on one block of 16 uniforms, bit for bit as the CPU kernel of torch 1.13
// computes it: u1 = 1 - data[0..8), u2 = data[8..16), radius =
// sqrt(-2·log u1), θ = 2π·u2, data ← radius·cos θ, radius·sin θ.
// log and sincos are avx_mathfun.h's float32 Cephes approximations (log256_ps,
// sincos256_ps), not libm's. libtorch is built with -mfma, and GCC fused some
// of their multiply-add pairs into FMA instructions; which ones was read from
// the disassembly of Debian's libtorch_cpu.so 1.13 (the AVX2 normal kernel)
// and confirmed against its randn output value by value. Each fused pair is
// an fma32 below; every other operation rounds to float32 on its own.

const f = Math.fround;

const TWO_PI = f(2 * Math.PI);
const MIN_NORM_POS = 2 ** -126;
const SQRTHF = f(0.707106781186547524);
const LOG_P = [7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1].map(f);
const LOG_Q1 = f(-2.1219444e-4);
const LOG_Q2 = f(0.693359375);
const FOPI = f(1.27323954473516); // 4/π
const MINUS_DP1 = f(-0.78515625);
const MINUS_DP2 = f(-2.4187564849853515625e-4);
const MINUS_DP3 = f(-3.77489497744594108e-8);
const SINCOF = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1].map(f);
const COSCOF = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2].map(f);

const bits = new Float32Array(1);
const bitsInt = new Int32Array(bits.buffer);

/** log256_ps for x in (0, 1] (u1 is never 0 or negative: it is 1 minus a uniform in [0, 1)). */
function logCephes(value: number): number {
  bits[0] = Math.max(value, MIN_NORM_POS);
  const word = bitsInt[0]!;
  let e = f((word >>> 23) - 127 + 1);
  // The mantissa as a float in [0.5, 1).
  bitsInt[0] = (word & ~0x7f800000) | 0x3f000000;
  let x = bits[0];
  if (x < SQRTHF) {
    e = f(e - 1);
    x = f(f(x - 1) + x);
  } else x = f(x - 1);
  const eQ1 = f(e * LOG_Q1);
  let y = LOG_P[0]!;
  for (let k = 1; k < LOG_P.length; k++) y = fma32(y, x, LOG_P[k]!);
  const z = f(x * x);
  y = fma32(f(x * y), z, eQ1);
  y = fma32(-z, 0.5, y);
  x = f(x + y);
  return fma32(e, LOG_Q2, x);
}

/** sincos256_ps for x ≥ 0 (θ = 2π·u2 is never negative); writes [sin, cos] into `out`. */
function sincosCephes(x: number, out: Float32Array): void {
  let j = Math.trunc(f(x * FOPI));
  j = (j + 1) & ~1;
  const y = j;
  const flipSin = (j & 4) !== 0;
  const flipCos = ((j - 2) & 4) === 0;
  const sinPolynomialForSin = (j & 2) === 0;
  // Extended-precision reduction: x - y·π/4 in three parts.
  x = fma32(y, MINUS_DP1, x);
  x = fma32(y, MINUS_DP2, x);
  x = fma32(y, MINUS_DP3, x);
  const z = f(x * x);
  let c = fma32(COSCOF[0]!, z, COSCOF[1]!);
  c = fma32(c, z, COSCOF[2]!);
  c = fma32(f(c * z), z, -f(z * 0.5));
  c = f(c + 1);
  let s = fma32(SINCOF[0]!, z, SINCOF[1]!);
  s = fma32(s, z, SINCOF[2]!);
  s = fma32(f(s * z), x, x);
  const sin = sinPolynomialForSin ? s : c;
  const cos = sinPolynomialForSin ? c : s;
  out[0] = flipSin ? -sin : sin;
  out[1] = flipCos ? -cos : cos;
}

const sinCos = new Float32Array(2);

/** Box–Muller in place on data[at .. at + 16), as torch's AVX2 kernel with mean 0 and std 1. */
export function boxMullerAvx2(data: Float32Array, at: number): void {
  for (let j = at; j < at + 8; j++) {
    const u1 = f(1 - data[j]!);
    const radius = f(Math.sqrt(f(logCephes(u1) * -2)));
    sincosCephes(f(TWO_PI * data[j + 8]!), sinCos);
    // The kernel's final fma(n, std, mean) with std 1 and mean 0: exact, but it turns -0 into +0.
    data[j] = f(radius * sinCos[1]!) + 0;
    data[j + 8] = f(radius * sinCos[0]!) + 0;
  }
}
