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
 * - pipeline key: model, size, steps, guidance and sampler; items that share
 *   it can run in one loaded pipeline and one shard.
 * - output: the one image an item produced, recorded once (unique per item)
 *   after the object was found in storage with the reported size.
 */

export type BatchState = "receiving" | "queued" | "running" | "completed" | "failed" | "cancelled";
export type ItemState = "queued" | "leased" | "done" | "failed" | "cancelled";

export interface RenderSettings {
  model: string;
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
}
