// Messages between the agent's main thread and its render workers.
import type { Attribution, AttributionRequest, DenoisedBatch } from "@atelier/diffusion";

/** The shard's render options beyond the core settings (RenderSettings in proto/); absent = off. */
export interface RenderJobOptions {
  clipSkip?: number;
  seedSource?: string;
  /** a model of this agent that finishes the schedule from refinerStart */
  refinerModel?: string;
  refinerStart?: number;
  /** upscaler "bicubic" or an upscaler of this agent; steps 0: the first pass's */
  hires?: { scale: number; steps: number; denoise: number; upscaler: string };
  /** the finished image upscaled by `scale` with this agent's upscaler `model` */
  upscale?: { model: string; scale: number };
  /** score the finished image with the agent's CLIP model (and these counter-prompts, or its roles swapped with fidelity) */
  clip?: RenderJobClip;
  /** stamp the invisible watermark in the final pixels */
  watermark?: boolean;
}

/** One image to render; the images of one request share model, size, steps, guidance, sampler and options. */
export interface RenderJob extends RenderJobOptions {
  model: string;
  prompt: string;
  negativePrompt: string;
  seed: number;
  width: number;
  height: number;
  steps: number;
  guidance: number;
  sampler: string;
  /** where the image belongs, for its AI label (createdAt: ISO 8601) */
  label?: { batchId: string; itemId: string; createdAt: string };
  /** registered creators' keywords whose contributions to measure (ids: creator ids) */
  attribution?: AttributionRequest;
}

export interface RenderJobClip {
  counterPrompts: string[];
  fidelity: boolean;
}

/** The image's CLIP similarity to its prompt and to each counter-prompt. */
export interface ClipResult {
  score: number;
  counters: { prompt: string; score: number }[];
}

export interface RenderedImage {
  png: Uint8Array;
  width: number;
  height: number;
  nsfw: boolean;
  /** "passed" or "flagged" by the model's safety checker; undefined when it has none */
  safetyVerdict?: "passed" | "flagged";
  /** the keywords' measured contributions, when the job named any */
  attribution?: Attribution;
  clip?: ClipResult;
}

export type ToWorker =
  | { type: "render"; id: number; jobs: RenderJob[] }
  | { type: "cancel"; id: number };

export type FromWorker =
  | { type: "ready"; models: string[] }
  /**
   * Times are for the whole request; `loadMs` is the model load that preceded it (0 when it was loaded),
   * `unetMs` the time inside the UNet's session.run (base and refiner), what keeps an accelerator busy.
   */
  | { type: "rendered"; id: number; images: RenderedImage[]; inferenceMs: number; totalMs: number; loadMs: number; unetMs: number }
  | { type: "failed"; id: number; error: string; retryable: boolean; cancelled: boolean };

/**
 * From the render worker to the finish worker, over a port of their own:
 * a request's denoised latents to decode, check, encode and send to the
 * agent as that request's result (its times so far with it), or a cancel.
 */
export type ToFinisher =
  | {
      type: "finish"; id: number; model: string; jobs: RenderJob[]; batches: DenoisedBatch[];
      loadMs: number; unetMs: number;
      /** when the render started, as performance.timeOrigin + performance.now() (the threads' clocks differ in origin) */
      startedAtMs: number;
    }
  | { type: "cancel"; id: number };

/** From the finish worker to the render worker: the request is answered, and its latents and pixels are gone. */
export interface FromFinisher {
  type: "finished";
  id: number;
}
