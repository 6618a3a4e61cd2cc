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

  // Every value, for SD1.5 (4×64×64) and SDXL (4×128×128) latents, a second draw that continues the
  // stream, and sizes off a multiple of 16 whose last block is redrawn; below 16, the serial path.
  it.each(goldens.torch_randn.map((c) => [name(c), c] as const))("bit for bit: %s", (_, c) => {
    const noise = new TorchCpuNoise(c.seed);
    for (const draw of c.draws) {
      const values = noise.next(draw.count);
      const headCount = Math.min(16, draw.count);
      expect(Array.from(values.subarray(0, headCount)), `head of ${draw.count}`).toEqual(draw.head.slice(0, headCount));
      expect(Array.from(values.subarray(draw.count - headCount)), `tail of ${draw.count}`).toEqual(draw.tail.slice(-headCount));
      expect(sha256(values), `all ${draw.count} values`).toBe(draw.sha256);
    }
  });
});
