// Messages between the agent's main thread and its render workers.

/** One image to render; the images of one request share model, size, steps, guidance and sampler. */
export interface RenderJob {
  model: string;
  prompt: string;
  negativePrompt: string;
  seed: number;
  width: number;
  height: number;
  steps: number;
  guidance: number;
  sampler: string;
}

export interface RenderedImage {
  png: Uint8Array;
  width: number;
  height: number;
  nsfw: boolean;
}

export type ToWorker =
  | { type: "render"; id: number; jobs: RenderJob[] }
  | { type: "cancel"; id: number };

export type FromWorker =
  | { type: "ready"; models: string[] }
  /** Times are for the whole request; `loadMs` is the model load that preceded it (0 when it was loaded). */
  | { type: "rendered"; id: number; images: RenderedImage[]; inferenceMs: number; totalMs: number; loadMs: number }
  | { type: "failed"; id: number; error: string; retryable: boolean; cancelled: boolean };
