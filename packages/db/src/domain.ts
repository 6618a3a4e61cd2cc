/**
 * The farm's terms, shared by every store in this package.
 *
 * - batch: what a client submits: many items under one tenant, with defaults
 *   and a priority. States: receiving (still streaming in, invisible to the
 *   scheduler) -> queued -> running -> completed | failed | cancelled.
 * - item: one image to render: prompt, seed and settings. States: queued ->
 *   leased -> done | failed | cancelled; a lost lease or a retryable failure
 *   puts it back to queued with attempts + 1.
 * - shard: a group of items of one batch with the same pipeline key, leased
 *   together to one agent.
 * - lease: a shard's claim on its items: holder (agent), epoch (fencing token
 *   from a global sequence, so a re-lease is always higher) and an expiry
 *   judged by the database clock, extended by heartbeats.
 * - agent: one process driving one GPU, with slots, models and size limits.
 * - pipeline key: model, size, steps, guidance, sampler and the render
 *   options (clip skip, seed source, refiner, hires fix, upscale, required
 *   architecture); items that share it can run in one loaded pipeline and
 *   one shard.
 * - output: the one image an item produced, recorded once (unique per item)
 *   after the object was found in storage with the reported size.
 */

export type BatchState = "receiving" | "queued" | "running" | "completed" | "failed" | "cancelled";
/** exhausted: every attempt stayed below the item's CLIP quality gate. */
export type ItemState = "queued" | "leased" | "done" | "failed" | "cancelled" | "exhausted";

/** A1111's hires fix: first pass at width x height, then upscaled by `scale` and re-rendered at `denoise`. */
export interface HiresSettings {
  scale: number;
  /** second-pass steps; 0: the first pass's */
  steps: number;
  denoise: number;
  /** "bicubic" or an upscaler model */
  upscaler: string;
}

/** The finished image upscaled by `scale` with an upscaler model. */
export interface UpscaleSettings {
  model: string;
  scale: number;
}

/**
 * Render options beyond the core settings; absent means off. Stored as the
 * item's `options` (jsonb, only the keys set), part of the pipeline key.
 */
export interface RenderOptions {
  clipSkip?: number;
  /** atelier | torch-cpu | a1111-gpu */
  seedSource?: string;
  refinerModel?: string;
  refinerStart?: number;
  hires?: HiresSettings;
  upscale?: UpscaleSettings;
  /** the architecture the model must have on the agent */
  architecture?: string;
  clip?: ClipCheckSettings;
}

/**
 * CLIP scoring on the agent (ClipCheck in proto/): each image's cosine
 * similarity to its prompt, a quality gate that re-rolls images below
 * minScore with the next seed up to maxRerolls times, and a fidelity check
 * against counter-prompts (or the prompt with its roles swapped).
 */
export interface ClipCheckSettings {
  score: true;
  minScore?: number;
  maxRerolls?: number;
  counterPrompts?: string[];
  fidelity?: boolean;
}

export interface RenderSettings extends RenderOptions {
  model: string;
  /** the first pass's size; hires and upscale make the output larger (outputSizeOf) */
  width: number;
  height: number;
  steps: number;
  guidance: number;
  sampler: string;
}

export interface NewItem extends RenderSettings {
  index: number;
  prompt: string;
  negativePrompt: string;
  seed: number;
  /** The item's value of each axis of the plan it came from ({"x": "euler"}); absent outside plans. */
  axes?: Record<string, string>;
}

export interface BatchCounts {
  id: string;
  tenantId: string;
  state: BatchState;
  total: number;
  done: number;
  failed: number;
  cancelled: number;
}

export interface LeasedItem {
  itemId: string;
  index: number;
  prompt: string;
  negativePrompt: string;
  seed: number;
}

export interface Lease {
  shardId: string;
  batchId: string;
  /** when the batch was submitted: the time in each image's AI label */
  batchCreatedAtMs: number;
  tenantId: string;
  epoch: number;
  expiresAtMs: number;
  settings: RenderSettings;
  items: LeasedItem[];
}

export interface AgentCapabilities {
  models: string[];
  maxWidth: number;
  maxHeight: number;
  /** "<model>@<architecture>" per model; absent: the agent announced none */
  architectures?: string[];
  /** upscaler models */
  upscalers?: string[];
}
