// Messages between the agent's main thread and its render workers.

export interface RenderJob {
  id: number;
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

export type ToWorker =
  | { type: "render"; job: RenderJob }
  | { type: "cancel"; id: number };

export type FromWorker =
  | { type: "ready"; models: string[] }
  | { type: "rendered"; id: number; png: Uint8Array; width: number; height: number; inferenceMs: number; totalMs: number; loadMs: number; nsfw: boolean }
  | { type: "failed"; id: number; error: string; retryable: boolean; cancelled: boolean };
