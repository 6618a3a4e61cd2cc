import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectModelArchitecture } from "../pipeline/model-architecture.ts";
import { writeUpscalerModel } from "../test-models/index.ts";
import { Upscaler } from "./upscaler-model.ts";

let root: string;
let x2: string;
let x4: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "atelier-upscaler-test-"));
  [x2, x4] = await Promise.all([writeUpscalerModel(root, "tiny-x2", { scale: 2 }), writeUpscalerModel(root, "tiny-x4", { scale: 4 })]);
});
afterAll(async () => rm(root, { recursive: true, force: true }));

/** A 256x256 test picture: gradients and a hard-edged square. */
function picture(size: number): Uint8Array {
  const rgb = new Uint8Array(3 * size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = x > size / 4 && x < (3 * size) / 4 && y > size / 3 && y < (2 * size) / 3;
      rgb.set([inside ? 230 : x % 256, inside ? 20 : y % 256, inside ? 30 : 128], 3 * (y * size + x));
    }
  }
  return rgb;
}

describe("Upscaler", () => {
  it("is detected as an upscaler and measures its own scale", async () => {
    expect(await detectModelArchitecture(x4)).toMatchObject({ architecture: "upscaler", family: "upscaler" });
    const [a, b] = await Promise.all([Upscaler.load(x2), Upscaler.load(x4)]);
    expect([a.scale, b.scale, b.name]).toEqual([2, 4, "tiny-x4"]);
    await Promise.all([a.close(), b.close(), b.close()]);
  });

  it("upscales 256² x4 to 1024² in tiles, pixel for pixel what one whole-image run gives", async () => {
    const tiled = await Upscaler.load(x4, { tiling: { tilePx: 96, overlapPx: 24, marginPx: 6 } });
    const whole = await Upscaler.load(x4, { tiling: { tilePx: 256 } });
    try {
      const source = picture(256);
      const a = await tiled.upscale(source, 256, 256);
      const b = await whole.upscale(source, 256, 256);
      expect([a.width, a.height, a.rgb.length]).toEqual([1024, 1024, 3 * 1024 * 1024]);
      let worst = 0;
      for (let i = 0; i < a.rgb.length; i++) worst = Math.max(worst, Math.abs(a.rgb[i]! - b.rgb[i]!));
      expect(worst).toBeLessThanOrEqual(1);
      // The output is the input, upscaled, plus a small residual (|r| <= 0.05 of full scale).
      let far = 0;
      for (let y = 0; y < 1024; y++) {
        for (let x = 0; x < 1024; x++) {
          for (let c = 0; c < 3; c++) far = Math.max(far, Math.abs(a.rgb[3 * (y * 1024 + x) + c]! - source[3 * ((y >> 2) * 256 + (x >> 2)) + c]!));
        }
      }
      expect(far).toBeLessThanOrEqual(13);
    } finally {
      await Promise.all([tiled.close(), whole.close()]);
    }
  });
});
