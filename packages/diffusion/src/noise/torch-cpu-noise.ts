import { Mt19937 } from "./mt19937.ts";
import { boxMullerAvx2 } from "./torch-avx2-box-muller.ts";

// torch.manual_seed(seed) followed by torch.randn(...) calls on the CPU, as
// diffusers draws its latents with a CPU generator and A1111 with its "CPU"
// RNG setting. Each next(count) is one randn of `count` float32 values from
// the same generator, so a sampler's later draws continue the stream.
//
// torch's layout (aten/src/ATen/native/cpu/DistributionTemplates.h):
//  - count >= 16: fill all `count` values with uniforms (r & 0xffffff)·2⁻²⁴,
//    then Box–Muller in place 16 at a time over pairs (j, j+8):
//    radius = sqrt(-2·log(1 - u[j])), θ = 2π·u[j+8], u[j] ← radius·cos θ,
//    u[j+8] ← radius·sin θ; when count is not a multiple of 16, the last 16
//    values are drawn again as uniforms and transformed once more.
//  - count < 16: element by element, Box–Muller in double on 53-bit
//    uniforms, the sine half cached in the generator for the next value.
// Both paths are bit for bit Debian's torch 1.13 on an AVX2 machine (the
// 16-value blocks: torch-avx2-box-muller.ts), checked against torch's own
// output in reference-noise.test.ts. Other torch builds may fuse other
// multiply-adds into FMAs, and torch on a machine without AVX2 takes
// another code path for the blocks: either may change the low bits.

const UNIFORM24 = 2 ** -24;
const UNIFORM53 = 2 ** -53;

export class TorchCpuNoise {
  private readonly engine: Mt19937;
  private cachedNormal: number | undefined;

  constructor(seed: number) {
    this.engine = new Mt19937(seed);
  }

  /** torch.rand(count): float32 uniforms in [0, 1). */
  uniform(count: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (this.engine.next() & 0xffffff) * UNIFORM24;
    return out;
  }

  next(count: number): Float32Array {
    return count >= 16 ? this.fill(count) : this.serial(count);
  }

  private fill(count: number): Float32Array {
    const data = this.uniform(count);
    for (let i = 0; i + 16 <= count; i += 16) boxMullerAvx2(data, i);
    if (count % 16 !== 0) {
      data.set(this.uniform(16), count - 16);
      boxMullerAvx2(data, count - 16);
    }
    return data;
  }

  private serial(count: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      if (this.cachedNormal !== undefined) {
        out[i] = this.cachedNormal;
        this.cachedNormal = undefined;
        continue;
      }
      const u1 = this.uniform53();
      const u2 = this.uniform53();
      const radius = Math.sqrt(-2 * Math.log(1 - u2));
      const theta = 2 * Math.PI * u1;
      this.cachedNormal = radius * Math.sin(theta);
      out[i] = radius * Math.cos(theta);
    }
    return out;
  }

  /** torch's random64(): two 32-bit draws, the first the high half; 53 bits of it as a double in [0, 1). */
  private uniform53(): number {
    const high = this.engine.next();
    const low = this.engine.next();
    // (high·2³² + low) mod 2⁵³, exactly.
    return ((high & 0x1fffff) * 2 ** 32 + low) * UNIFORM53;
  }
}
