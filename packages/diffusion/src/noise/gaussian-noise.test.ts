import { describe, expect, it } from "vitest";
import { gaussianNoise } from "./gaussian-noise.ts";
import { Pcg32 } from "./pcg32.ts";

describe("Pcg32", () => {
  it("matches the reference pcg32-demo output for initstate 42, initseq 54", () => {
    const rng = new Pcg32([0, 42], [0, 54]);
    const out = Array.from({ length: 6 }, () => rng.nextUint32());
    expect(out).toEqual([0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e]);
  });
});

describe("gaussianNoise", () => {
  it("is pinned: these values are part of every image's identity", () => {
    // If this fails, every seed renders a different picture than before.
    expect(Array.from(gaussianNoise(42, 4))).toEqual([-0.1383136659860611, -0.95076584815979, -0.0041849007830023766, -0.7609694004058838]);
  });

  it("depends on the seed alone", () => {
    expect(gaussianNoise(7, 1000)).toEqual(gaussianNoise(7, 1000));
    expect(gaussianNoise(7, 999)).toEqual(gaussianNoise(7, 1000).subarray(0, 999));
    expect(gaussianNoise(8, 1000)).not.toEqual(gaussianNoise(7, 1000));
    expect(gaussianNoise(4294967295, 4).every(Number.isFinite)).toBe(true);
  });

  it("is standard normal", () => {
    const n = gaussianNoise(123, 200_000);
    let sum = 0;
    let squares = 0;
    let beyond2 = 0;
    for (const v of n) {
      sum += v;
      squares += v * v;
      if (Math.abs(v) > 2) beyond2++;
    }
    expect(Math.abs(sum / n.length)).toBeLessThan(0.01);
    expect(Math.abs(squares / n.length - 1)).toBeLessThan(0.02);
    expect(beyond2 / n.length).toBeCloseTo(0.0455, 2);
  });
});
