import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { detectModelArchitecture } from "@atelier/diffusion";

/** What an agent can serve from its models folder, by folder name (the name on the farm). */
export interface ModelCatalog {
  /** Diffusion models: folder and architecture (detectModelArchitecture), announced per model. */
  models: Record<string, { dir: string; architecture: string }>;
  /** ESRGAN-class upscalers (upscaler/model.onnx), for hires fix and upscale. */
  upscalers: Record<string, string>;
  /** Folders that looked like models but are not usable, with why. */
  skipped: { name: string; reason: string }[];
}

/**
 * Reads every folder under `modelsDir`: a Stable Diffusion ONNX export (it
 * has a model_index.json) is a model, a folder with upscaler/model.onnx and
 * no UNet an upscaler. Only JSON configs are read; sessions open later.
 */
export async function discoverModels(modelsDir: string): Promise<ModelCatalog> {
  if (!existsSync(modelsDir)) throw new Error(`models folder ${modelsDir} does not exist`);
  const catalog: ModelCatalog = { models: {}, upscalers: {}, skipped: [] };
  for (const entry of readdirSync(modelsDir, { withFileTypes: true })) {
    const dir = join(modelsDir, entry.name);
    if (!entry.isDirectory() || !(existsSync(join(dir, "model_index.json")) || existsSync(join(dir, "upscaler", "model.onnx")))) continue;
    try {
      const { architecture } = await detectModelArchitecture(dir);
      if (architecture === "upscaler") catalog.upscalers[entry.name] = dir;
      else catalog.models[entry.name] = { dir, architecture };
    } catch (error) {
      catalog.skipped.push({ name: entry.name, reason: (error as Error).message });
    }
  }
  if (Object.keys(catalog.models).length === 0) {
    throw new Error(`no model found in ${modelsDir}: each model is a folder with model_index.json (the Stable Diffusion ONNX layout)`);
  }
  return catalog;
}
