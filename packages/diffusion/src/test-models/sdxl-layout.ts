import { buildDemoTextEncoder } from "../demo/demo-text-encoder.ts";
import { buildDemoTokenizerFiles } from "../demo/demo-tokenizer-files.ts";
import { buildDemoVaeDecoder } from "../demo/demo-vae-decoder.ts";
import { buildDemoVaeEncoder } from "../demo/demo-vae-encoder.ts";
import { DEMO_WORDS, HIDDEN } from "../demo/demo-vocabulary.ts";
import { END_OF_TEXT, START_OF_TEXT } from "../tokenizer/clip-text.ts";
import { json, ONNX_COMPONENT, tokenizerFiles } from "./layout-files.ts";
import { buildTinyUnet } from "./tiny-unet.ts";

// A small model in the layout optimum exports SDXL in (and diffusers saves
// it): two CLIP text encoders (text_encoder: CLIPTextModel, text_encoder_2:
// CLIPTextModelWithProjection with `text_embeds`), both with hidden_states.N
// outputs; a UNet taking text_embeds and time_ids besides the usual inputs;
// an fp16 VAE with SDXL's scaling factor 0.13025. The refiner variant has
// only text_encoder_2/tokenizer_2, 5 time ids (aesthetic score in place of
// the target size) and requires_aesthetics_score, as
// stabilityai/stable-diffusion-xl-refiner-1.0 does. Weights are the demo's
// text encoders and a random-weight UNet: the pictures mean nothing, the
// names, dtypes and shapes are SDXL's.

export type SdxlKind = "sdxl" | "sdxl-refiner";

export const SDXL_VAE_SCALING_FACTOR = 0.13025;
// SDXL's unet/config.json sample_size: 128 latents = 1024 px.
const SDXL_SAMPLE_SIZE = 128;
const ADDITION_TIME_EMBED_DIM = 8;

// stabilityai/stable-diffusion-xl-base-1.0's scheduler_config.json.
const SDXL_SCHEDULER_CONFIG = {
  _class_name: "EulerDiscreteScheduler",
  _diffusers_version: "0.19.0.dev0",
  beta_end: 0.012,
  beta_schedule: "scaled_linear",
  beta_start: 0.00085,
  clip_sample: false,
  interpolation_type: "linear",
  num_train_timesteps: 1000,
  prediction_type: "epsilon",
  sample_max_value: 1,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  timestep_spacing: "leading",
  trained_betas: null,
  use_karras_sigmas: false,
};

export function buildSdxlModelFiles(version: string, versionKey: string, kind: SdxlKind, scheduler: Record<string, unknown>): Map<string, Uint8Array> {
  const refiner = kind === "sdxl-refiner";
  const vocab = buildDemoTokenizerFiles(DEMO_WORDS).vocab;
  const specials = new Set([START_OF_TEXT, END_OF_TEXT]);
  const timeIdsWidth = refiner ? 5 : 6;
  // Penultimate states of both encoders side by side (the refiner has only the second).
  const contextWidth = refiner ? HIDDEN.size : 2 * HIDDEN.size;
  const vaeConfig = json({ _class_name: "AutoencoderKL", latent_channels: 4, scaling_factor: SDXL_VAE_SCALING_FACTOR, force_upcast: true, sample_size: 1024 });
  const files = new Map<string, Uint8Array>([
    [
      "model_index.json",
      json({
        _class_name: refiner ? "StableDiffusionXLImg2ImgPipeline" : "StableDiffusionXLPipeline",
        _diffusers_version: "0.30.0",
        [versionKey]: version,
        force_zeros_for_empty_prompt: !refiner,
        ...(refiner ? { requires_aesthetics_score: true } : {}),
        scheduler: ["diffusers", "EulerDiscreteScheduler"],
        text_encoder: refiner ? [null, null] : ONNX_COMPONENT,
        text_encoder_2: ONNX_COMPONENT,
        tokenizer: refiner ? [null, null] : ["transformers", "CLIPTokenizer"],
        tokenizer_2: ["transformers", "CLIPTokenizer"],
        unet: ONNX_COMPONENT,
        vae_decoder: ONNX_COMPONENT,
        vae_encoder: ONNX_COMPONENT,
      }),
    ],
    ["scheduler/scheduler_config.json", json({ ...SDXL_SCHEDULER_CONFIG, ...scheduler })],
    ...tokenizerFiles("tokenizer_2", "!"),
    ["text_encoder_2/model.onnx", buildDemoTextEncoder(vocab, specials, version, "float32", "scaled-last", "text_embeds")],
    ["text_encoder_2/config.json", json({ _class_name: "CLIPTextModelWithProjection", hidden_size: HIDDEN.size, projection_dim: HIDDEN.size, num_hidden_layers: 2 })],
    ["unet/model.onnx", buildTinyUnet(version, { contextWidth, floatType: "float32", added: { textEmbedsWidth: HIDDEN.size, timeIdsWidth } })],
    [
      "unet/config.json",
      json({
        _class_name: "UNet2DConditionModel",
        addition_embed_type: "text_time",
        addition_time_embed_dim: ADDITION_TIME_EMBED_DIM,
        cross_attention_dim: contextWidth,
        in_channels: 4,
        out_channels: 4,
        projection_class_embeddings_input_dim: HIDDEN.size + timeIdsWidth * ADDITION_TIME_EMBED_DIM,
        sample_size: SDXL_SAMPLE_SIZE,
        time_cond_proj_dim: null,
      }),
    ],
    ["vae_decoder/model.onnx", buildDemoVaeDecoder(version, "float16", SDXL_VAE_SCALING_FACTOR)],
    ["vae_decoder/config.json", vaeConfig],
    ["vae_encoder/model.onnx", buildDemoVaeEncoder(version, "float16", SDXL_VAE_SCALING_FACTOR)],
    ["vae_encoder/config.json", vaeConfig],
  ]);
  if (!refiner) {
    for (const [path, bytes] of tokenizerFiles("tokenizer")) files.set(path, bytes);
    files.set("text_encoder/model.onnx", buildDemoTextEncoder(vocab, specials, version, "float32", "scaled-last"));
    files.set("text_encoder/config.json", json({ _class_name: "CLIPTextModel", hidden_size: HIDDEN.size, num_hidden_layers: 2 }));
  }
  return files;
}
