import type { Upscaler } from "../upscaler/upscaler-model.ts";
import type { Attribution } from "./keyword-contribution.ts";
import type { GraphOptimizationLevel } from "./onnx-session.ts";
import type { SessionPart } from "./pipeline-components.ts";
import type { Pipeline } from "./pipeline.ts";
import type { VaeTiling } from "./tiled-vae.ts";

export interface PipelineOptions {
  /** onnxruntime execution providers in preference order, e.g. ["cuda", "cpu"]; default ["cpu"] */
  providers?: string[];
  /** skip listed providers that cannot run on this machine instead of failing (at least one must remain); default false */
  providerFallback?: boolean;
  /** threads per operator; default 1 (agents run one pipeline per slot) */
  intraOpThreads?: number;
  /** threads across independent operators; default 1 */
  interOpThreads?: number;
  /** onnxruntime graph optimisation; default "all" */
  graphOptimization?: GraphOptimizationLevel;
  /**
   * VAE decoding in overlapping tiles for images above `abovePixels`
   * (default 1024·1024, so 2048² renders are tiled and SDXL's native size is
   * not), to bound the decoder's memory; see tiled-vae.ts. false: never.
   */
  vaeTiling?: false | (Partial<VaeTiling> & { abovePixels?: number });
}

export interface RenderOptions {
  /** checked before every denoising step and before decoding */
  signal?: AbortSignal;
  /**
   * the second stage of requests with `refinerStart` (an SDXL refiner): it
   * takes this pipeline's latents at that fraction of the schedule,
   * finishes denoising with its own text encoder and UNet and decodes with
   * its VAE. Must stay open for the render.
   */
  refiner?: Pipeline;
  /** the upscaler that requests' `hires.upscaler` names (by its folder name), for the hires fix */
  upscaler?: Upscaler;
  /** called after each denoising step with (steps done, UNet calls in this batch) */
  onStep?: (step: number, steps: number) => void;
  /**
   * what a flagged image's `png` holds: "black" (the default) is diffusers'
   * safety-checker output; "keep" is the rendered picture, for a caller that
   * quarantines flagged images itself so that a moderator can judge them.
   */
  flagged?: "black" | "keep";
}

export interface RenderResult {
  png: Uint8Array;
  width: number;
  height: number;
  /** the safety checker flagged the image; `png` is then solid black unless RenderOptions.flagged is "keep". Always false without safety_checker/ */
  nsfw: boolean;
  /** the model has a safety checker, so `nsfw` is its verdict (false without one says nothing) */
  safetyChecked: boolean;
  /** the keywords' contributions and what measuring them cost, when the request asked (request.attribution) */
  attribution?: Attribution;
  /** text encoding + denoising + VAE, milliseconds (shared by the images of one UNet batch) */
  inferenceMs: number;
  /** from the render call to this image's PNG, including validation and encoding, milliseconds */
  totalMs: number;
}

/** Cumulative counters since load, for overhead and throughput figures. */
export interface PipelineStats {
  images: number;
  /** time inside onnxruntime session.run, all models */
  sessionRunMs: number;
  sessionRuns: number;
  /** the same time, model by model (the UNet's apart from the text encoders' and the VAE's) */
  sessionRunMsByPart: Record<SessionPart, number>;
  /** PNG encoding */
  pngEncodeMs: number;
  /** wall time of render/renderBatch/denoise calls */
  renderMs: number;
}
