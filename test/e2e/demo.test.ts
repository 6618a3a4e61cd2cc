import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodePng, encodePng } from "@atelier/diffusion";
import { afterAll, describe, expect, it } from "vitest";
import { runAtelier } from "../support/cli-process.ts";
import { ensureDebianPackages } from "../support/debian-packages.ts";

/** The share of pixels in a region whose colour satisfies `test`. */
function share(png: ReturnType<typeof decodePng>, x0: number, y0: number, size: number, test: (r: number, g: number, b: number) => boolean): number {
  let hits = 0;
  for (let y = y0; y < y0 + size; y++) {
    for (let x = x0; x < x0 + size; x++) {
      const at = (y * png.width + x) * png.channels;
      if (test(png.pixels[at]!, png.pixels[at + 1]!, png.pixels[at + 2]!)) hits++;
    }
  }
  return hits / (size * size);
}

describe("atelier demo", () => {
  const out = mkdtempSync(join(tmpdir(), "atelier-demo-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("runs the whole farm embedded and leaves the rendered examples and a contact sheet", async () => {
    // No DATABASE_URL, NATS_URL or S3_ENDPOINT: the embedded defaults.
    const run = await runAtelier(["demo", "--out", out], { DATABASE_URL: "", NATS_URL: "", S3_ENDPOINT: "" });
    expect(run.output).toMatch(/batch completed: \d+ images, 0 failed/);
    expect(run.code).toBe(0);

    const [batchDir] = readdirSync(out);
    const files = readdirSync(join(out, batchDir!));
    const images = files.filter((f) => /^\d{8}-\d+\.png$/.test(f));
    expect(images.length).toBeGreaterThanOrEqual(48);
    for (const file of images) {
      const png = decodePng(new Uint8Array(readFileSync(join(out, batchDir!, file))));
      expect([png.width, png.height]).toEqual([256, 256]);
    }
    const sheet = decodePng(new Uint8Array(readFileSync(join(out, batchDir!, "contact-sheet.png"))));
    expect(sheet.width).toBe(8 * 128);
    // Each tile is captioned below it: its index, its seed and its prompt. The band under the
    // first tile, magnified four times and inverted (dark text on light reads best), read by OCR.
    ensureDebianPackages("tesseract (an OCR engine to read the contact sheet's captions)", ["tesseract-ocr", "tesseract-ocr-eng"], () => spawnSync("sh", ["-c", "command -v tesseract"]).status === 0);
    const scale = 4;
    const band = { top: 128, width: 128, height: 30 };
    const crop = new Uint8Array(band.width * scale * band.height * scale * 3);
    for (let y = 0; y < band.height * scale; y++) {
      for (let x = 0; x < band.width * scale; x++) {
        const from = ((band.top + Math.floor(y / scale)) * sheet.width + Math.floor(x / scale)) * sheet.channels;
        for (let c = 0; c < 3; c++) crop[(y * band.width * scale + x) * 3 + c] = 255 - sheet.pixels[from + c]!;
      }
    }
    const captionFile = join(out, "caption.png");
    writeFileSync(captionFile, encodePng(crop, band.width * scale, band.height * scale));
    const ocr = spawnSync("tesseract", [captionFile, "-", "--psm", "6"], { encoding: "utf8" });
    expect(ocr.status, ocr.stderr).toBe(0);
    expect(ocr.stdout).toContain("seed 42");
    expect(ocr.stdout).toContain("a red circle");

    // The first example is "a red circle on a blue background", seed 42.
    const red = decodePng(new Uint8Array(readFileSync(join(out, batchDir!, "00000000-42.png"))));
    expect(red.text.parameters).toMatch(/^a red circle on a blue background\n/);
    const isRed = (r: number, g: number, b: number) => r > 180 && g < 80 && b < 80;
    const isBlue = (r: number, g: number, b: number) => b > 180 && r < 80 && g < 120;
    expect(share(red, 112, 112, 32, isRed)).toBeGreaterThan(0.9);
    for (const [x, y] of [[0, 0], [232, 0], [0, 232], [232, 232]] as const) {
      expect(share(red, x, y, 24, isBlue), `corner ${x},${y}`).toBeGreaterThan(0.9);
    }
  }, 180_000);
});
