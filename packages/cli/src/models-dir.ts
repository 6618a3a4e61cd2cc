import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { ensureDemoModel } from "@atelier/diffusion";

/** Where models live unless told otherwise: ./.atelier/models, seeded with the demo model. */
export const DEFAULT_MODELS_DIR = ".atelier/models";

/**
 * Resolves the models folder. The default folder gets the generated demo
 * model if it has none, so that a fresh clone can render at once; a folder
 * the user names is used as it is.
 */
export async function resolveModelsDir(given: string | undefined): Promise<string> {
  if (given) return resolve(given);
  const dir = resolve(process.env.ATELIER_MODELS_DIR ?? DEFAULT_MODELS_DIR);
  const hasModel = existsSync(dir) && readdirSync(dir).some((name) => existsSync(resolve(dir, name, "model_index.json")));
  if (!hasModel || !process.env.ATELIER_MODELS_DIR) await ensureDemoModel(dir);
  return dir;
}
