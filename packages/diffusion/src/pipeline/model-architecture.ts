import { join, resolve } from "node:path";
import { ModelFormatError } from "../errors.ts";
import { optionalFile, optionalJson } from "./model-files.ts";

const isFile = async (path: string) => (await optionalFile(path)) !== undefined;

// What kind of model a folder holds, from its JSON configs alone (no ONNX
// session is opened), so an agent can announce every model it has cheaply.
// Pipeline.load checks the sessions against it (an SDXL layout must have a
// UNet with text_embeds/time_ids, and so on).
//
//   upscaler      upscaler/model.onnx and no unet/ (ESRGAN-class, see upscaler-model.ts)
//   sdxl-refiner  text_encoder_2/ without text_encoder/, or requires_aesthetics_score
//   sdxl          text_encoder_2/ beside text_encoder/
//   lcm           a UNet with time_cond_proj_dim, or an LCMScheduler config
//   turbo         "trailing" timestep spacing (SD-Turbo, SDXL-Turbo: 1-4 steps, guidance 0)
//   inpainting    a 9-channel UNet
//   sd2-v         v_prediction (SD 2.x 768)
//   sd2           cross_attention_dim 1024 (OpenCLIP ViT-H), epsilon
//   sd1           everything else in the Stable Diffusion layout
// `family` is the text/UNet layout the pipeline needs (what decides which
// agent can load it); `architecture` is the most specific label above.

export type ModelFamily = "sd1" | "sd2" | "sdxl" | "sdxl-refiner" | "upscaler";
export type ModelArchitecture = ModelFamily | "sd2-v" | "lcm" | "turbo" | "inpainting";

export interface ModelArchitectureInfo {
  architecture: ModelArchitecture;
  family: ModelFamily;
  lcm: boolean;
  turbo: boolean;
  inpainting: boolean;
  predictionType: "epsilon" | "v_prediction" | undefined;
  /** width = height the model was trained at (unet config sample_size x 8, else the family's) */
  defaultSizePx: number;
}

const FAMILY_SIZE_PX: Record<ModelFamily, number> = { sd1: 512, sd2: 768, sdxl: 1024, "sdxl-refiner": 1024, upscaler: 0 };
const VAE_DOWNSCALE = 8;


/** A component named in model_index.json as [library, class]; [null, null] means "not part of this model". */
function indexNames(index: Record<string, unknown>, key: string): boolean | undefined {
  const entry = index[key];
  if (!Array.isArray(entry)) return undefined;
  return entry[0] !== null && entry[1] !== null;
}

export async function detectModelArchitecture(modelDir: string): Promise<ModelArchitectureInfo> {
  const dir = resolve(modelDir);
  const hasUnet = await isFile(join(dir, "unet", "model.onnx"));
  if (!hasUnet && (await isFile(join(dir, "upscaler", "model.onnx")))) {
    return { architecture: "upscaler", family: "upscaler", lcm: false, turbo: false, inpainting: false, predictionType: undefined, defaultSizePx: 0 };
  }
  if (!(await isFile(join(dir, "model_index.json")))) {
    throw new ModelFormatError(`${dir} holds neither model_index.json (a diffusers/optimum ONNX export) nor upscaler/model.onnx`);
  }
  const [index, unet, scheduler, textEncoder] = await Promise.all([
    optionalJson(join(dir, "model_index.json")),
    optionalJson(join(dir, "unet", "config.json")),
    optionalJson(join(dir, "scheduler", "scheduler_config.json")),
    optionalJson(join(dir, "text_encoder", "config.json")),
  ]);
  const hasFirst = indexNames(index, "text_encoder") ?? (await isFile(join(dir, "text_encoder", "model.onnx")));
  const hasSecond = indexNames(index, "text_encoder_2") ?? (await isFile(join(dir, "text_encoder_2", "model.onnx")));
  const predictionType = scheduler["prediction_type"] === "v_prediction" ? "v_prediction" : "epsilon";
  let family: ModelFamily;
  if (hasSecond) family = !hasFirst || index["requires_aesthetics_score"] === true ? "sdxl-refiner" : "sdxl";
  else family = unet["cross_attention_dim"] === 1024 || textEncoder["hidden_size"] === 1024 || predictionType === "v_prediction" ? "sd2" : "sd1";
  const lcm = typeof unet["time_cond_proj_dim"] === "number" || scheduler["_class_name"] === "LCMScheduler";
  const turbo = scheduler["timestep_spacing"] === "trailing";
  const inpainting = unet["in_channels"] === 9;
  const architecture: ModelArchitecture =
    family === "sdxl-refiner" ? family : lcm ? "lcm" : turbo ? "turbo" : inpainting ? "inpainting" : family === "sd2" && predictionType === "v_prediction" ? "sd2-v" : family;
  const sampleSize = unet["sample_size"];
  const defaultSizePx = typeof sampleSize === "number" && sampleSize > 0 ? sampleSize * VAE_DOWNSCALE : FAMILY_SIZE_PX[family];
  return { architecture, family, lcm, turbo, inpainting, predictionType, defaultSizePx };
}
