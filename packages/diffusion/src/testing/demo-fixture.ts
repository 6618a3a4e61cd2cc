import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDemoModel } from "../demo/demo-model.ts";
import type { DecodedPng } from "../png/png-decode.ts";
import type { RenderRequest } from "../render-request.ts";
import { type TestModelOptions, writeTestModel } from "../test-models/index.ts";

// Shared setup for tests that render with generated models. Not exported
// from the package entry points.

export const RED_CIRCLE: RenderRequest = {
  prompt: "a red circle on a blue background",
  negativePrompt: "",
  seed: 42,
  width: 256,
  height: 256,
  steps: 20,
  guidance: 7.5,
  sampler: "euler",
};

/** A fresh temp folder holding a generated demo model; remove() deletes it. */
export async function demoModelDir(): Promise<{ modelDir: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "atelier-diffusion-test-"));
  return { modelDir: await ensureDemoModel(root), remove: () => rm(root, { recursive: true, force: true }) };
}

/** Fresh temp folders holding generated test models, by name; remove() deletes them. */
export async function testModelDirs<K extends string>(models: Record<K, TestModelOptions>): Promise<{ dirs: Record<K, string>; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "atelier-diffusion-test-"));
  const dirs = {} as Record<K, string>;
  for (const name of Object.keys(models) as K[]) dirs[name] = await writeTestModel(root, name, models[name]);
  return { dirs, remove: () => rm(root, { recursive: true, force: true }) };
}

export type Rgb = readonly [number, number, number];

export function rgbAt(image: DecodedPng, x: number, y: number): Rgb {
  const at = (y * image.width + x) * image.channels;
  return [image.pixels[at]!, image.pixels[at + 1]!, image.pixels[at + 2]!];
}

/** Share of pixels in the box [x0,x1) x [y0,y1) that satisfy `test`. */
export function shareOf(image: DecodedPng, box: { x0: number; y0: number; x1: number; y1: number }, test: (rgb: Rgb) => boolean): number {
  let hits = 0;
  for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) if (test(rgbAt(image, x, y))) hits++;
  return hits / ((box.x1 - box.x0) * (box.y1 - box.y0));
}

/** Largest per-sample difference between two decoded images of equal size. */
export function maxPixelDifference(a: DecodedPng, b: DecodedPng): number {
  let max = 0;
  for (let i = 0; i < a.pixels.length; i++) max = Math.max(max, Math.abs(a.pixels[i]! - b.pixels[i]!));
  return max;
}

/** Mean per-sample absolute difference between two decoded images of equal size. */
export function meanPixelDifference(a: DecodedPng, b: DecodedPng): number {
  let total = 0;
  for (let i = 0; i < a.pixels.length; i++) total += Math.abs(a.pixels[i]! - b.pixels[i]!);
  return total / a.pixels.length;
}

export const isRedish = ([r, g, b]: Rgb) => r > 180 && g < 80 && b < 80;
export const isBlueish = ([r, g, b]: Rgb) => b > 180 && r < 80 && g < 120;
