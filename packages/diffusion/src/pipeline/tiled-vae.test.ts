import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GaussianStream } from "../noise/gaussian-noise.ts";
import { decodePng } from "../png/png-decode.ts";
import { RED_CIRCLE, testModelDirs } from "../testing/demo-fixture.ts";
import { Pipeline } from "./pipeline.ts";
import { decodeTiled, tileStarts, type VaeTiling } from "./tiled-vae.ts";
import { VaeDecoderModel } from "./vae-decoder-model.ts";

let remove: () => Promise<void>;
let dirs: Record<"randomVae" | "demo", string>;
beforeAll(async () => {
  const models = await testModelDirs({ randomVae: { vae: "random" }, demo: {} });
  remove = models.remove;
  dirs = models.dirs;
});
afterAll(async () => remove?.());

const SMALL_TILES: VaeTiling = { tileLatentPx: 32, overlapLatentPx: 12, marginLatentPx: 4 };

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe("tile layout and blending", () => {
  it("covers the axis with tiles at stride tile - overlap, the last flush with the end", () => {
    expect(tileStarts(32, 32, 12)).toEqual([0]);
    expect(tileStarts(72, 32, 12)).toEqual([0, 20, 40]);
    expect(tileStarts(75, 32, 12)).toEqual([0, 20, 40, 43]);
  });

  it("gives every pixel weight (a decoder of ones decodes to ones)", async () => {
    for (const [h, w] of [[72, 75], [32, 100], [41, 33]] as const) {
      const ones = async (_: Float32Array, dims: readonly number[]) => new Float32Array(3 * dims[2]! * 8 * dims[3]! * 8).fill(1);
      const image = await decodeTiled(ones, new Float32Array(4 * h * w), 4, h, w, SMALL_TILES);
      let worst = 0;
      for (const v of image) worst = Math.max(worst, Math.abs(v - 1));
      expect(worst, `${h}x${w}`).toBeLessThan(1e-6);
    }
  });
});

describe("tiled decoding of a local VAE", () => {
  it("equals the one-shot decode up to float rounding (random-weight conv VAE, 9 tiles)", async () => {
    const session = await ort.InferenceSession.create(`${dirs.randomVae}/vae_decoder/model.onnx`);
    try {
      const decoder = new VaeDecoderModel(session);
      const [h, w] = [72, 75];
      const latents = new GaussianStream(3).next(4 * h * w);
      const whole = await decoder.decode(latents, [1, 4, h, w], w * 8, h * 8);
      const tiled = await decodeTiled((t, dims, tw, th) => decoder.decode(t, dims, tw, th), latents, 4, h, w, SMALL_TILES);
      // measured 6e-8: one float32 ulp of values in [-1, 1], from the weighted mean
      expect(maxDifference(tiled, whole)).toBeLessThan(1e-6);
      // Without the margin, pixels next to a cut come from a tile that lacks their context.
      const careless = await decodeTiled((t, dims, tw, th) => decoder.decode(t, dims, tw, th), latents, 4, h, w, { ...SMALL_TILES, marginLatentPx: 0 });
      expect(maxDifference(careless, whole)).toBeGreaterThan(1e-2);
    } finally {
      await session.release();
    }
  });

  it("is chosen above the pixel budget and gives the same pixels as the one-shot decode", async () => {
    const tiled = await Pipeline.load(dirs.demo, { vaeTiling: { abovePixels: 256 * 256, tileLatentPx: 16, overlapLatentPx: 6, marginLatentPx: 2 } });
    const whole = await Pipeline.load(dirs.demo, { vaeTiling: false });
    try {
      const request = { ...RED_CIRCLE, width: 384, height: 256, steps: 4 };
      const before = tiled.stats.sessionRuns;
      const a = decodePng((await tiled.render(request)).png);
      // prompt and negative prompt encoded, 4 UNet calls, then one decode per tile
      const decodes = tiled.stats.sessionRuns - before - 2 - 4;
      expect(decodes).toBe(tileStarts(32, 16, 6).length * tileStarts(48, 16, 6).length);
      const b = decodePng((await whole.render(request)).png);
      expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    } finally {
      await Promise.all([tiled.close(), whole.close()]);
    }
  });
});

describe("memory", () => {
  it("a tiled 2048² decode peaks far below the one-shot decode (fresh process each, peak RSS)", () => {
    const script = fileURLToPath(new URL("../../scripts/vae-decode-peak.ts", import.meta.url));
    const measure = (mode: string) => {
      const run = spawnSync(process.execPath, ["--import", "tsx", script, dirs.randomVae, "2048", mode], { encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { peakRssBytes: number; checksum: number; ms: number };
    };
    const whole = measure("untiled");
    const tiled = measure("tiled");
    console.log(JSON.stringify({ vaeDecode2048: { untiledPeakRssMiB: Math.round(whole.peakRssBytes / 2 ** 20), tiledPeakRssMiB: Math.round(tiled.peakRssBytes / 2 ** 20), untiledMs: whole.ms, tiledMs: tiled.ms } }));
    // the one-shot decode holds several 16x2048x2048 float activations (256 MiB each)
    expect(tiled.peakRssBytes).toBeLessThan(whole.peakRssBytes / 2);
    expect(Math.abs(tiled.checksum - whole.checksum)).toBeLessThan(1e-3);
  }, 60_000);
});
