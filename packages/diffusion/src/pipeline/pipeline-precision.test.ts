import * as ort from "onnxruntime-node";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromFloat16, toFloat16 } from "../onnx/float16.ts";
import { GaussianStream } from "../noise/gaussian-noise.ts";
import { decodePng } from "../png/png-decode.ts";
import { meanPixelDifference, RED_CIRCLE, testModelDirs } from "../testing/demo-fixture.ts";
import { Pipeline } from "./pipeline.ts";
import { UnetModel } from "./unet-model.ts";

describe("float16 conversion", () => {
  it("rounds to the nearest float16, ties to even, with subnormals and infinities", () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff], // largest finite
      [65520, 0x7c00], // rounds up to infinity
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // tie between 0 and 2^-24: even is 0
      [1 + 2 ** -11, 0x3c00], // tie between 1 and 1 + 2^-10: even is 1
      [1 + 3 * 2 ** -11, 0x3c02], // tie between 1 + 2^-10 and 1 + 2^-9: even is the latter
      [Infinity, 0x7c00],
    ];
    for (const [value, bits] of cases) expect(toFloat16([value])[0], String(value)).toBe(bits);
    expect(Number.isNaN(fromFloat16(toFloat16([Number.NaN]))[0])).toBe(true);
    const halves = Uint16Array.from({ length: 0x7c00 }, (_, i) => i);
    expect(toFloat16(fromFloat16(halves))).toEqual(halves); // every finite positive half survives the round trip
  });
});

let remove: () => Promise<void>;
let dirs: { fp32: string; fp16: string };

beforeAll(async () => {
  ({ dirs, remove } = await testModelDirs({ fp32: { unet: "random" }, fp16: { unet: "random", floatType: "float16" } }));
});
afterAll(() => remove?.());

describe("fp16 exports", () => {
  it("declare float16 weights and IO, and predict what the fp32 model does within fp16 precision", async () => {
    const [s32, s16] = await Promise.all([dirs.fp32, dirs.fp16].map((dir) => ort.InferenceSession.create(join(dir, "unet", "model.onnx"))));
    try {
      const types = s16!.inputMetadata.map((m) => (m.isTensor ? `${m.name}:${m.type}` : m.name));
      expect(types).toEqual(["sample:float16", "timestep:int64", "encoder_hidden_states:float16"]);
      const sample = new GaussianStream(3).next(2 * 4 * 8 * 8);
      const hidden = new GaussianStream(4).next(2 * 77 * 32).map((v) => v * 0.5);
      const [a, b] = await Promise.all(
        [s32!, s16!].map((s) => new UnetModel(s).predict(sample, [2, 4, 8, 8], 500, hidden, [2, 77, 32])),
      );
      let error = 0;
      let scale = 0;
      a!.forEach((v, k) => {
        error = Math.max(error, Math.abs(v - b![k]!));
        scale = Math.max(scale, Math.abs(v));
      });
      expect(scale).toBeGreaterThan(0.1);
      expect(error / scale).toBeLessThan(0.02);
      expect(error).toBeGreaterThan(0); // really computed in half precision
    } finally {
      await Promise.all([s32!.release(), s16!.release()]);
    }
  });

  it("render through the whole pipeline close to the fp32 model", async () => {
    const [p32, p16] = await Promise.all([Pipeline.load(dirs.fp32), Pipeline.load(dirs.fp16)]);
    try {
      const request = { ...RED_CIRCLE, width: 64, height: 64, steps: 8, sampler: "dpmpp_2m" as const };
      const [a, b] = await Promise.all([p32.render(request), p16.render(request)]);
      expect(meanPixelDifference(decodePng(a.png), decodePng(b.png))).toBeLessThan(4);
      expect(p16.maxBatchFor(512, 512, 16e9)).toBeGreaterThan(p32.maxBatchFor(512, 512, 16e9));
      expect(p16.residentBytes).toBeLessThan(0.6 * p32.residentBytes);
    } finally {
      await Promise.all([p32.close(), p16.close()]);
    }
  });
});
