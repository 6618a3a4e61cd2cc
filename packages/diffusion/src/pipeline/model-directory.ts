import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, readdir, readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { ModelFormatError } from "../errors.ts";
import { parseSchedulerConfig, type NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { optionalFile, optionalJson } from "./model-files.ts";

// The Stable Diffusion ONNX export layout written by diffusers'
// convert_stable_diffusion_checkpoint_to_onnx.py and by optimum-cli
// (onnxruntime). Only the parts this pipeline runs are required.

export interface ModelDirectory {
  dir: string;
  /** directory basename, used as the A1111 "Model" */
  name: string;
  /** the first text encoder's tokenizer (tokenizer/, or tokenizer_2/ for an SDXL refiner) */
  tokenizerDir: string;
  /** the first text encoder (text_encoder/, or text_encoder_2/ for an SDXL refiner) */
  textEncoderPath: string;
  /** every text encoder in order: text_encoder then text_encoder_2 (SDXL) */
  textEncoders: { tokenizerDir: string; path: string }[];
  /** model_index.json */
  modelIndex: Record<string, unknown>;
  unetPath: string;
  vaeDecoderPath: string;
  /** img2img and inpainting need it */
  vaeEncoderPath: string | undefined;
  safetyCheckerPath: string | undefined;
  /** CLIP preprocessing for the safety checker (optional; CLIP's defaults otherwise) */
  featureExtractorConfigPath: string;
  schedule: NoiseSchedule;
  /** unet/config.json ({} when the export has none): time_cond_proj_dim, addition_embed_type, ... */
  unetConfig: Record<string, unknown>;
  /** latents are divided by this before decoding (AutoencoderKL scaling_factor) */
  vaeScalingFactor: number;
  /** bytes of every ONNX graph and external weight file the pipeline loads */
  weightBytes: number;
}

// SD 1.x/2.x's AutoencoderKL scaling; exports without vae config use it.
const DEFAULT_VAE_SCALING_FACTOR = 0.18215;

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ModelFormatError(`${what} is missing (${path}); expected a diffusers/optimum ONNX export`, { cause: error });
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ModelFormatError(`${path} is not valid JSON`, { cause: error });
  }
}

async function requireFile(path: string, what: string): Promise<string> {
  try {
    await access(path);
  } catch (error) {
    throw new ModelFormatError(`${what} is missing (${path}); expected a diffusers/optimum ONNX export`, { cause: error });
  }
  return path;
}


async function readVaeScalingFactor(dir: string): Promise<number> {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(join(dir, "vae_decoder", "config.json"), "utf8")) as Record<string, unknown>;
  } catch {
    return DEFAULT_VAE_SCALING_FACTOR; // optional file: older exports do not write it
  }
  const factor = config["scaling_factor"] ?? DEFAULT_VAE_SCALING_FACTOR;
  if (typeof factor !== "number" || !(factor > 0)) throw new ModelFormatError(`vae_decoder/config.json: scaling_factor must be a positive number (got ${JSON.stringify(factor)})`);
  return factor;
}

/** Bytes of a component folder's files except JSON configs: the graph plus external weights (model.onnx_data, weights.pb). */
async function folderWeightBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (entry.isFile() && !entry.name.endsWith(".json")) total += (await stat(join(folder, entry.name))).size;
  }
  return total;
}

export async function openModelDirectory(modelDir: string): Promise<ModelDirectory> {
  const dir = resolve(modelDir);
  const modelIndex = await readJson(join(dir, "model_index.json"), "model_index.json");
  const schedulerPath = join(dir, "scheduler", "scheduler_config.json");
  const schedule = parseSchedulerConfig(await readJson(schedulerPath, "scheduler/scheduler_config.json"), schedulerPath);
  // SDXL adds text_encoder_2/ (+ tokenizer_2/); its refiner has only that one.
  const second = await optionalFile(join(dir, "text_encoder_2", "model.onnx"));
  const first = second ? await optionalFile(join(dir, "text_encoder", "model.onnx")) : await requireFile(join(dir, "text_encoder", "model.onnx"), "text_encoder/model.onnx");
  const textEncoders = [
    ...(first ? [{ tokenizerDir: join(dir, "tokenizer"), path: first }] : []),
    ...(second ? [{ tokenizerDir: join(dir, "tokenizer_2"), path: second }] : []),
  ];
  const textEncoderPath = textEncoders[0]!.path;
  const unetPath = await requireFile(join(dir, "unet", "model.onnx"), "unet/model.onnx");
  const vaeDecoderPath = await requireFile(join(dir, "vae_decoder", "model.onnx"), "vae_decoder/model.onnx");
  const vaeEncoderPath = await optionalFile(join(dir, "vae_encoder", "model.onnx"));
  const safetyCheckerPath = await optionalFile(join(dir, "safety_checker", "model.onnx"));
  const loaded = [...textEncoders.map((t) => t.path), unetPath, vaeDecoderPath, vaeEncoderPath, safetyCheckerPath].filter((p) => p !== undefined);
  const sizes = await Promise.all(loaded.map((path) => folderWeightBytes(join(path, ".."))));
  return {
    dir,
    name: basename(dir),
    tokenizerDir: textEncoders[0]!.tokenizerDir,
    textEncoderPath,
    textEncoders,
    modelIndex,
    unetPath,
    vaeDecoderPath,
    vaeEncoderPath,
    safetyCheckerPath,
    featureExtractorConfigPath: join(dir, "feature_extractor", "preprocessor_config.json"),
    schedule,
    unetConfig: await optionalJson(join(dir, "unet", "config.json")),
    vaeScalingFactor: await readVaeScalingFactor(dir),
    weightBytes: sizes.reduce((a, b) => a + b, 0),
  };
}

/**
 * A1111-style short model hash: the first 10 hex digits of the SHA-256 of
 * unet/model.onnx. Streamed, since a full-precision UNet is gigabytes. For
 * exports that keep weights in external data files only the graph file is
 * hashed.
 */
export async function shortModelHash(unetPath: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(unetPath)) hash.update(chunk as Buffer);
  return hash.digest("hex").slice(0, 10);
}
