import { buildDemoSafetyChecker } from "../demo/demo-safety-checker.ts";
import { buildDemoTextEncoder, type DemoTextEncoderLayers } from "../demo/demo-text-encoder.ts";
import { buildDemoTokenizerFiles } from "../demo/demo-tokenizer-files.ts";
import { buildDemoUnet } from "../demo/demo-unet.ts";
import { buildDemoVaeDecoder, DEMO_VAE_SCALING_FACTOR } from "../demo/demo-vae-decoder.ts";
import { buildDemoVaeEncoder } from "../demo/demo-vae-encoder.ts";
import { DEMO_WORDS, HIDDEN } from "../demo/demo-vocabulary.ts";
import { parseSchedulerConfig } from "../scheduler/noise-schedule.ts";
import { END_OF_TEXT, START_OF_TEXT } from "../tokenizer/clip-text.ts";
import { buildSdxlModelFiles, type SdxlKind } from "./sdxl-layout.ts";
import { buildTinyUnet } from "./tiny-unet.ts";
import { buildTinyVaeDecoder } from "./tiny-vae-decoder.ts";

// Generated models in the Stable Diffusion ONNX export layout (what
// optimum-cli writes), for the demo, the tests and the benchmarks. All share
// the demo tokenizer, text encoder and VAE; they differ in the UNet:
//   "oracle": the demo UNet, the exact noise toward a prompt-drawn target
//   "random": a small random-weight UNet built from the real operators

export interface ModelLayoutOptions {
  unet: "oracle" | "random";
  /** the oracle's parameterisation; also written to scheduler_config.json */
  predictionType: "epsilon" | "v_prediction";
  /** oracle only: a 9-channel inpainting UNet */
  inpainting: boolean;
  /** "float16": every graph stores weights and IO as float16 */
  floatType: "float32" | "float16";
  safetyChecker: boolean;
  /** merged over the SD 1.x scheduler config */
  scheduler: Record<string, unknown>;
  /** text encoder with hidden_states outputs and a final LayerNorm (CLIP skip); default "none" */
  textEncoderLayers?: DemoTextEncoderLayers;
  /**
   * oracle only: an LCM-distilled UNet with a `timestep_cond` input of this
   * width (time_cond_proj_dim, 256 in LCM-Dreamshaper), an LCMScheduler
   * config and LatentConsistencyModelPipeline's model_index
   */
  timestepCondDim?: number;
  /**
   * "sdxl" / "sdxl-refiner": SDXL's export layout (sdxl-layout.ts) with a
   * random-weight UNet; `scheduler` still applies, the other options do not
   */
  architecture?: "sd" | SdxlKind;
  /** "random": a random-weight convolutional VAE decoder (tiny-vae-decoder.ts) in place of the demo's */
  vae?: "demo" | "random";
}

export const DEFAULT_LAYOUT: ModelLayoutOptions = {
  unet: "oracle",
  predictionType: "epsilon",
  inpainting: false,
  floatType: "float32",
  safetyChecker: false,
  scheduler: {},
};

// Stable Diffusion 1.x's scheduler_config.json as exported, with the timestep
// spacing written out (SD 1.x's own config predates the field).
const SD_SCHEDULER_CONFIG = {
  _class_name: "EulerDiscreteScheduler",
  _diffusers_version: "0.30.0",
  beta_end: 0.012,
  beta_schedule: "scaled_linear",
  beta_start: 0.00085,
  clip_sample: false,
  num_train_timesteps: 1000,
  prediction_type: "epsilon",
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  timestep_spacing: "leading",
  trained_betas: null,
};

// What LCM-distilled models ship (SimianLuo/LCM_Dreamshaper_v7's LCMScheduler
// config, over SD's betas).
const LCM_SCHEDULER_CONFIG = {
  _class_name: "LCMScheduler",
  original_inference_steps: 50,
  set_alpha_to_one: true,
  timestep_scaling: 10,
  timestep_spacing: "leading",
};

// transformers' CLIPImageProcessor settings of SD's feature_extractor/.
const CLIP_PREPROCESSOR = {
  crop_size: { height: 224, width: 224 },
  do_center_crop: true,
  do_convert_rgb: true,
  do_normalize: true,
  do_rescale: true,
  do_resize: true,
  image_mean: [0.48145466, 0.4578275, 0.40821073],
  image_processor_type: "CLIPImageProcessor",
  image_std: [0.26862954, 0.26130258, 0.27577711],
  resample: 3,
  rescale_factor: 0.00392156862745098,
  size: { shortest_edge: 224 },
};

const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
const ONNX_COMPONENT = ["diffusers", "OnnxRuntimeModel"];

/** Every file of a generated model, by path relative to the model directory; identical bytes on every call. */
export function buildModelFiles(version: string, versionKey: string, options: ModelLayoutOptions): Map<string, Uint8Array> {
  if (options.architecture === "sdxl" || options.architecture === "sdxl-refiner") return buildSdxlModelFiles(version, versionKey, options.architecture, options.scheduler);
  const lcm = options.timestepCondDim !== undefined;
  const scheduler = { ...SD_SCHEDULER_CONFIG, ...(lcm ? LCM_SCHEDULER_CONFIG : {}), prediction_type: options.predictionType, ...options.scheduler };
  const tokenizer = buildDemoTokenizerFiles(DEMO_WORDS);
  const schedule = parseSchedulerConfig(scheduler, "generated scheduler_config.json");
  const specialTokens = { bos_token: START_OF_TEXT, eos_token: END_OF_TEXT, pad_token: END_OF_TEXT, unk_token: END_OF_TEXT };
  const { floatType } = options;
  const unet =
    options.unet === "oracle"
      ? buildDemoUnet(schedule.alphasCumprod, version, {
          predictionType: options.predictionType,
          inpainting: options.inpainting,
          ...(lcm ? { timestepCondDim: options.timestepCondDim } : {}),
        })
      : buildTinyUnet(version, { contextWidth: HIDDEN.size, floatType });
  const files = new Map<string, Uint8Array>([
    [
      "model_index.json",
      json({
        _class_name: lcm ? "LatentConsistencyModelPipeline" : options.inpainting ? "OnnxStableDiffusionInpaintPipeline" : "OnnxStableDiffusionPipeline",
        _diffusers_version: "0.30.0",
        [versionKey]: version,
        feature_extractor: options.safetyChecker ? ["transformers", "CLIPImageProcessor"] : [null, null],
        requires_safety_checker: options.safetyChecker,
        safety_checker: options.safetyChecker ? ONNX_COMPONENT : [null, null],
        scheduler: ["diffusers", scheduler._class_name],
        text_encoder: ONNX_COMPONENT,
        tokenizer: ["transformers", "CLIPTokenizer"],
        unet: ONNX_COMPONENT,
        vae_decoder: ONNX_COMPONENT,
        vae_encoder: ONNX_COMPONENT,
      }),
    ],
    ["scheduler/scheduler_config.json", json(scheduler)],
    ["tokenizer/vocab.json", json(tokenizer.vocab)],
    ["tokenizer/merges.txt", new TextEncoder().encode(`#version: 0.2\n${tokenizer.merges.join("\n")}\n`)],
    ["tokenizer/special_tokens_map.json", json(specialTokens)],
    [
      "tokenizer/tokenizer_config.json",
      json({ ...specialTokens, add_prefix_space: false, do_lower_case: true, model_max_length: 77, tokenizer_class: "CLIPTokenizer" }),
    ],
    ["text_encoder/model.onnx", buildDemoTextEncoder(tokenizer.vocab, new Set([START_OF_TEXT, END_OF_TEXT]), version, floatType, options.textEncoderLayers)],
    ["unet/model.onnx", unet],
    ["vae_decoder/model.onnx", options.vae === "random" ? buildTinyVaeDecoder(version, floatType) : buildDemoVaeDecoder(version, floatType)],
    ["vae_decoder/config.json", json({ _class_name: "AutoencoderKL", latent_channels: 4, scaling_factor: DEMO_VAE_SCALING_FACTOR })],
    ["vae_encoder/model.onnx", buildDemoVaeEncoder(version, floatType)],
    ["vae_encoder/config.json", json({ _class_name: "AutoencoderKL", latent_channels: 4, scaling_factor: DEMO_VAE_SCALING_FACTOR })],
  ]);
  if (lcm) files.set("unet/config.json", json({ _class_name: "UNet2DConditionModel", in_channels: 4, out_channels: 4, cross_attention_dim: HIDDEN.size, time_cond_proj_dim: options.timestepCondDim }));
  // As real inpainting exports say it: detectModelArchitecture reads the 9 input channels from here.
  else if (options.inpainting) files.set("unet/config.json", json({ _class_name: "UNet2DConditionModel", in_channels: 9, out_channels: 4, cross_attention_dim: HIDDEN.size }));
  if (options.safetyChecker) {
    files.set("safety_checker/model.onnx", buildDemoSafetyChecker(version));
    files.set("feature_extractor/preprocessor_config.json", json(CLIP_PREPROCESSOR));
  }
  return files;
}
