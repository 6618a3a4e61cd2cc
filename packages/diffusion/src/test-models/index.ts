// @atelier/diffusion/testing: generated models in the Stable Diffusion ONNX
// export layout, for tests and benchmarks across the repository.
import { createHash } from "node:crypto";
import { buildModelFiles, DEFAULT_LAYOUT, type ModelLayoutOptions } from "./model-layout.ts";
import { buildDemoClipFiles } from "../demo/demo-clip.ts";
import { buildTinyUpscaler } from "./tiny-upscaler.ts";
import { writeModelDirectory } from "./write-model.ts";

export type TestModelOptions = Partial<ModelLayoutOptions>;

const VERSION_KEY = "_atelier_test_model";

/**
 * Writes a generated model to `<dir>/<name>` (left alone when the same
 * options were written there before) and returns its path. Defaults: the
 * demo's oracle UNet, epsilon prediction, float32, no safety checker.
 *   { unet: "random" }                      random-weight UNet of real operators
 *   { unet: "random", floatType: "float16" } the same as an fp16 export
 *   { predictionType: "v_prediction" }      SD 2.x-style oracle
 *   { inpainting: true }                    9-channel inpainting oracle
 *   { safetyChecker: true }                 flags images whose mean red > 0.6
 *   { textEncoderLayers: "identity-last" }  text encoder with hidden_states outputs (CLIP skip)
 */
export function writeTestModel(dir: string, name: string, options: TestModelOptions = {}): Promise<string> {
  const layout: ModelLayoutOptions = { ...DEFAULT_LAYOUT, ...options };
  const version = `test-${createHash("sha256").update(JSON.stringify(layout)).digest("hex").slice(0, 12)}`;
  return writeModelDirectory(dir, name, VERSION_KEY, version, () => buildModelFiles(version, VERSION_KEY, layout));
}

/**
 * Writes a generated ESRGAN-shaped upscaler to `<dir>/<name>`
 * (upscaler/model.onnx, see tiny-upscaler.ts) and returns its path.
 */
export function writeUpscalerModel(dir: string, name: string, options: { scale: 2 | 4 }): Promise<string> {
  const version = `upscaler-x${options.scale}-1`;
  return writeModelDirectory(dir, name, VERSION_KEY, version, () => {
    const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
    return new Map([
      ["upscaler/model.onnx", buildTinyUpscaler(version, options.scale)],
      // writeModelDirectory recognises a finished copy by this file's version key.
      ["model_index.json", json({ _class_name: "ImageUpscaler", [VERSION_KEY]: version, scale: options.scale })],
    ]);
  });
}

export { DEMO_SAFETY_RED_THRESHOLD } from "../demo/demo-safety-checker.ts";

/**
 * Writes the generated test CLIP (demo/demo-clip.ts: per-modality ONNX
 * towers whose embeddings follow the demo model's colours and shapes) to
 * `<dir>/<name>` and returns its path.
 */
export function writeTestClipModel(dir: string, name: string): Promise<string> {
  const version = "test-clip-2";
  return writeModelDirectory(dir, name, VERSION_KEY, version, () => buildDemoClipFiles(version, VERSION_KEY), "config.json");
}
