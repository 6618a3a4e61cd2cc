import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PhiloxNoise } from "./philox-noise.ts";
import { TorchCpuNoise } from "./torch-cpu-noise.ts";

// Goldens printed by the references themselves (goldens/noise_goldens.py):
// torch 1.13's CPU generator, and A1111's modules/rng_philox.py on numpy.

interface Draw {
  count: number;
  sha256: string;
  head: number[];
  tail: number[];
}
interface Case {
  seed: number;
  sizes: number[];
  draws: Draw[];
}
const goldens = JSON.parse(readFileSync(new URL("../../goldens/noise.json", import.meta.url), "utf8")) as {
  source: string;
  torch_rand: Case[];
  torch_randn: Case[];
  philox_randn: Case[];
};

const sha256 = (values: Float32Array) => createHash("sha256").update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest("hex");
const name = (c: Case) => `seed ${c.seed}, draws of ${c.sizes.join(" then ")}`;

/** Largest distance in float32 ulps (of the golden value) between two arrays. */
function maxUlps(values: Float32Array, golden: readonly number[], from: number): number {
  let worst = 0;
  golden.forEach((g, k) => {
    const ulp = 2 ** (Math.floor(Math.log2(Math.abs(g) || 2 ** -126)) - 23);
    worst = Math.max(worst, Math.abs(values[from + k]! - g) / ulp);
  });
  return worst;
}

describe(`A1111 Philox ("NV") noise against ${goldens.source}`, () => {
  it("reproduces rng_philox.py's documented example, Generator(0).randn((3, 4))", () => {
    const published = [-0.92466259, -0.42534415, -2.6438457, 0.14518388, -0.12086647, -0.57972564, -0.62285122, -0.32838709, -1.07454231, -0.36314407, -1.67105067, 2.26550497];
    new PhiloxNoise(0).next(12).forEach((v, i) => expect(v).toBeCloseTo(published[i]!, 6));
  });

  it.each(goldens.philox_randn.map((c) => [name(c), c] as const))("bit for bit: %s", (_, c) => {
    const noise = new PhiloxNoise(c.seed);
    for (const draw of c.draws) {
      const values = noise.next(draw.count);
      expect(Array.from(values.subarray(0, 16))).toEqual(draw.head.slice(0, Math.min(16, draw.count)));
      expect(sha256(values)).toBe(draw.sha256);
    }
  });
});

describe(`torch CPU generator noise against ${goldens.source}`, () => {
  it("draws torch.rand's uniforms bit for bit (mt19937, 24-bit floats)", () => {
    const c = goldens.torch_rand[0]!;
    const values = new TorchCpuNoise(c.seed).uniform(c.draws[0]!.count);
    expect(Array.from(values.subarray(0, 16))).toEqual(c.draws[0]!.head);
    expect(sha256(values)).toBe(c.draws[0]!.sha256);
  });

  // torch's AVX2 Box–Muller uses float32 Cephes polynomials; the double-then-round functions here land
  // within a few ulps of them (see torch-cpu-noise.ts). The layout (which uniform feeds which value,
  // the redrawn tail, the continuing stream) must be exact, or values would be off by whole units.
  it.each(goldens.torch_randn.map((c) => [name(c), c] as const))("within 4 float32 ulps: %s", (_, c) => {
    const noise = new TorchCpuNoise(c.seed);
    for (const draw of c.draws) {
      const values = noise.next(draw.count);
      expect(values.length).toBe(draw.count);
      const headCount = Math.min(16, draw.count);
      expect(maxUlps(values, draw.head.slice(0, headCount), 0), `head of ${draw.count}`).toBeLessThanOrEqual(4);
      expect(maxUlps(values, draw.tail.slice(-headCount), draw.count - headCount), `tail of ${draw.count}`).toBeLessThanOrEqual(4);
    }
  });
});
