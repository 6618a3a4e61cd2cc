import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { ModelFormatError } from "../errors.ts";
import { parseSchedulerConfig, type NoiseSchedule } from "../scheduler/noise-schedule.ts";

// The Stable Diffusion ONNX export layout written by diffusers'
// convert_stable_diffusion_checkpoint_to_onnx.py and by optimum-cli
// (onnxruntime). Only the parts this pipeline runs are required.

export interface ModelDirectory {
  dir: string;
  /** directory basename, used as the A1111 "Model" */
  name: string;
  tokenizerDir: string;
  textEncoderPath: string;
  unetPath: string;
  vaeDecoderPath: string;
  schedule: NoiseSchedule;
  /** latents are divided by this before decoding (AutoencoderKL scaling_factor) */
  vaeScalingFactor: number;
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

export async function openModelDirectory(modelDir: string): Promise<ModelDirectory> {
  const dir = resolve(modelDir);
  await readJson(join(dir, "model_index.json"), "model_index.json");
  const schedulerPath = join(dir, "scheduler", "scheduler_config.json");
  const schedule = parseSchedulerConfig(await readJson(schedulerPath, "scheduler/scheduler_config.json"), schedulerPath);
  return {
    dir,
    name: basename(dir),
    tokenizerDir: join(dir, "tokenizer"),
    textEncoderPath: await requireFile(join(dir, "text_encoder", "model.onnx"), "text_encoder/model.onnx"),
    unetPath: await requireFile(join(dir, "unet", "model.onnx"), "unet/model.onnx"),
    vaeDecoderPath: await requireFile(join(dir, "vae_decoder", "model.onnx"), "vae_decoder/model.onnx"),
    schedule,
    vaeScalingFactor: await readVaeScalingFactor(dir),
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
