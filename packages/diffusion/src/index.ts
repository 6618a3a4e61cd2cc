// @atelier/diffusion: a Stable-Diffusion-style pipeline on onnxruntime-node,
// the PNG tools around it, and a small generated demo model. No farm logic.

export { Pipeline, type PipelineOptions, type PipelineStats, type RenderOptions, type RenderResult } from "./pipeline/pipeline.ts";
export { type DenoisedBatch, type DenoisedImage, type FinisherStats, type FinishOptions, ImageFinisher } from "./pipeline/image-finish.ts";
export { detectModelArchitecture, type ModelArchitecture, type ModelArchitectureInfo, type ModelFamily } from "./pipeline/model-architecture.ts";
export { PipelineCache, type PipelineCacheOptions, type PipelineLease } from "./pipeline/pipeline-cache.ts";
export { type RenderRequest, RENDER_LIMITS, validateRenderRequest } from "./render-request.ts";
export type { Attribution, AttributionRequest, KeywordContribution } from "./pipeline/keyword-contribution.ts";
export { SAMPLER_NAMES, type SamplerName } from "./samplers/sampler-registry.ts";
export { AbortError, ModelFormatError, NonFiniteValuesError, PromptTooLongError, ProviderUnavailableError, ValidationError } from "./errors.ts";
export { ClipTokenizer, type ClipTokenizerFiles } from "./tokenizer/clip-tokenizer.ts";
export { countTokens, tokenize } from "./tokenizer/tokenize.ts";
export { parsePromptAttention, type WeightedText } from "./tokenizer/prompt-attention.ts";
export { gaussianNoise, GaussianStream } from "./noise/gaussian-noise.ts";
export { createNoiseSource, NOISE_SOURCES, type NoiseSourceName } from "./noise/noise-sources.ts";
export { PhiloxNoise } from "./noise/philox-noise.ts";
export { TorchCpuNoise } from "./noise/torch-cpu-noise.ts";
export { encodePng } from "./png/png-encode.ts";
export { stampAtelierMark } from "./watermark/atelier-mark.ts";
export { decodePng, type DecodedPng } from "./png/png-decode.ts";
export { contactSheet, type ContactSheetOptions } from "./png/contact-sheet.ts";
export { DEMO_MODEL_NAME, ensureDemoModel } from "./demo/demo-model.ts";
export { Upscaler, type UpscalerOptions } from "./upscaler/upscaler-model.ts";
export { BUILTIN_HIRES_UPSCALER, type HiresFix, upscaleForHires } from "./pipeline/hires-fix.ts";
export { ClipScorer, type ClipScorerOptions, clipScore100 } from "./pipeline/clip-scorer.ts";
export { fidelityOf, type FidelityResult, rolesSwapped } from "./pipeline/prompt-fidelity.ts";
export { PROVENANCE_KEYWORD } from "./pipeline/provenance.ts";
