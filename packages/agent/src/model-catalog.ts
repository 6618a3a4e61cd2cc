import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * The models an agent can serve: every folder under `modelsDir` in the
 * Stable Diffusion ONNX layout (it has a model_index.json). The folder name
 * is the model's name on the farm.
 */
export function discoverModels(modelsDir: string): Record<string, string> {
  if (!existsSync(modelsDir)) throw new Error(`models folder ${modelsDir} does not exist`);
  const models: Record<string, string> = {};
  for (const entry of readdirSync(modelsDir, { withFileTypes: true })) {
    const dir = join(modelsDir, entry.name);
    if (entry.isDirectory() && existsSync(join(dir, "model_index.json"))) models[entry.name] = dir;
  }
  if (Object.keys(models).length === 0) {
    throw new Error(`no model found in ${modelsDir}: each model is a folder with model_index.json (the Stable Diffusion ONNX layout)`);
  }
  return models;
}
