import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePng, type DecodedPng } from "../png/png-decode.ts";
import { encodePng } from "../png/png-encode.ts";
import { isBlueish, isRedish, RED_CIRCLE, type Rgb, rgbAt, shareOf, testModelDirs } from "../testing/demo-fixture.ts";
import { Pipeline } from "./pipeline.ts";

let remove: () => Promise<void>;
let oracle: Pipeline;
let inpainting: Pipeline;
let noEncoderDir: string;

beforeAll(async () => {
  const models = await testModelDirs({ oracle: {}, inpainting: { inpainting: true }, noEncoder: {} });
  remove = models.remove;
  oracle = await Pipeline.load(models.dirs.oracle);
  inpainting = await Pipeline.load(models.dirs.inpainting);
  noEncoderDir = models.dirs.noEncoder;
  await rm(join(noEncoderDir, "vae_encoder"), { recursive: true });
});
afterAll(async () => {
  await Promise.all([oracle?.close(), inpainting?.close()]);
  await remove?.();
});

const SIZE = 128;
const base = { ...RED_CIRCLE, width: SIZE, height: SIZE };
const decode = (png: Uint8Array): DecodedPng => decodePng(png);

/** A PNG the pipeline never made: a diagonal gradient with every level present. */
function gradientPng(): Uint8Array {
  const rgb = Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, i) => (Math.floor(i / 3) * 7 + (i % 3) * 85) & 0xff);
  return encodePng(rgb, SIZE, SIZE);
}

/** White (repaint) on the left half, black (keep) on the right. */
function leftHalfMask(): Uint8Array {
  const rgb = Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, i) => (Math.floor(i / 3) % SIZE < SIZE / 2 ? 255 : 0));
  return encodePng(rgb, SIZE, SIZE);
}

function sameRightHalf(a: DecodedPng, b: DecodedPng): boolean {
  for (let y = 0; y < SIZE; y++) {
    for (let x = SIZE / 2; x < SIZE; x++) {
      const [p, q] = [rgbAt(a, x, y), rgbAt(b, x, y)];
      if (p.some((v, c) => v !== q[c])) return false;
    }
  }
  return true;
}

describe("img2img", () => {
  it("returns the input's pixels at strength 0 without running any model", async () => {
    // Strength 0 means no denoising step: the result is the source image itself (alpha
    // dropped), not a VAE round trip, so its pixels are identical and no session runs.
    for (const source of [gradientPng(), (await oracle.render({ ...base, prompt: "a green square" })).png]) {
      const runs = oracle.stats.sessionRuns;
      const steps: number[] = [];
      const result = await oracle.render({ ...base, initImage: source, strength: 0 }, { onStep: (s) => steps.push(s) });
      expect(Buffer.from(decode(result.png).pixels).equals(Buffer.from(decode(source).pixels))).toBe(true);
      expect(oracle.stats.sessionRuns).toBe(runs);
      expect(steps).toEqual([]);
      expect(decode(result.png).text["parameters"]).toMatch(/, Denoising strength: 0$/);
    }
  });

  it("runs trunc(steps x strength) steps from the noised image and reaches the prompt's picture", async () => {
    const steps: string[] = [];
    const result = await oracle.render({ ...base, initImage: gradientPng(), strength: 0.55 }, { onStep: (s, n) => steps.push(`${s}/${n}`) });
    expect(steps.at(-1)).toBe("11/11");
    const image = decode(result.png);
    expect(shareOf(image, { x0: 56, y0: 56, x1: 72, y1: 72 }, isRedish)).toBe(1);
    expect(shareOf(image, { x0: 0, y0: 0, x1: 12, y1: 12 }, isBlueish)).toBe(1);
    expect(JSON.parse(image.text["atelier"]!)).toMatchObject({ strength: 0.55, inpainting: false });
  });

  it("refuses bad inputs before rendering", async () => {
    await expect(oracle.render({ ...base, strength: 0.5 })).rejects.toThrow("strength needs initImage");
    await expect(oracle.render({ ...base, mask: leftHalfMask() })).rejects.toThrow("mask needs initImage");
    await expect(oracle.render({ ...base, width: 256, height: 256, initImage: gradientPng() })).rejects.toThrow(
      "initImage is 128x128; the request is 256x256 (resize it first)",
    );
    await expect(oracle.render({ ...base, initImage: Uint8Array.of(1, 2, 3) })).rejects.toThrow("initImage must be a PNG (not a PNG: bad signature)");
    const noEncoder = await Pipeline.load(noEncoderDir);
    try {
      await expect(noEncoder.render({ ...base, initImage: gradientPng() })).rejects.toThrow(
        "model noEncoder has no vae_encoder/, which img2img and inpainting need (re-export it with optimum-cli)",
      );
    } finally {
      await noEncoder.close();
    }
  });
});

describe("inpainting", () => {
  // Blue everywhere; the left half is repainted with "a red" (a colour with no shape fills the picture).
  const request = async () => ({
    ...base,
    prompt: "a red",
    initImage: (await oracle.render({ ...base, prompt: "a blue" })).png,
    mask: leftHalfMask(),
  });

  it.each([
    ["a 9-channel inpainting UNet", () => inpainting],
    ["a 4-channel UNet (latents blended outside the mask)", () => oracle],
  ])("leaves the unmasked half exactly as it was with %s", async (_, pipeline) => {
    const req = await request();
    for (const strength of [1, 0.6]) {
      const result = decode((await pipeline().render({ ...req, strength })).png);
      expect(sameRightHalf(result, decode(req.initImage)), `strength ${strength}`).toBe(true);
      // Away from the seam the masked half is the prompt's colour.
      expect(shareOf(result, { x0: 0, y0: 0, x1: SIZE / 2 - 12, y1: SIZE }, isRedish), `strength ${strength}`).toBeGreaterThan(0.99);
    }
  });

  it("defaults to strength 1 and records inpainting in the provenance", async () => {
    const result = decode((await inpainting.render(await request())).png);
    expect(result.text["parameters"]).toMatch(/, Denoising strength: 1$/);
    expect(JSON.parse(result.text["atelier"]!)).toMatchObject({ strength: 1, inpainting: true });
  });

  it("renders text-to-image with an inpainting UNet (mask all ones, grey masked image)", async () => {
    const result = decode((await inpainting.render(base)).png);
    expect(rgbAt(result, SIZE / 2, SIZE / 2) satisfies Rgb).toEqual(rgbAt(decode((await oracle.render(base)).png), SIZE / 2, SIZE / 2));
  });
});
