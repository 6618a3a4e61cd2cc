/** What the farm accepts for one item. Checked before anything is written. */
export const LIMITS = {
  promptChars: 2000,
  minSide: 64,
  maxSide: 2048,
  sideMultiple: 8,
  maxSteps: 150,
  maxGuidance: 30,
  maxSeed: 0xffff_ffff,
  maxCount: 100,
  maxItemsPerBatch: 5_000_000,
  /** Item specs in one SubmitBatch message. */
  maxChunkItems: 10_000,
  batchNameChars: 200,
  idempotencyKeyChars: 200,
  samplers: ["euler", "euler_a", "ddim", "pndm", "dpmpp_2m", "dpmpp_2m_karras", "lcm"] as const,
  modelName: /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
  /** A tenant's name: it is the first segment of every object key the tenant's images get. */
  tenantName: /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
  /** An item's or audit event's id as a client sends it: digits a bigint holds, checked before a query casts them. */
  rowId: /^\d{1,18}$/,
  maxClipSkip: 12,
  seedSources: ["atelier", "torch-cpu", "a1111-gpu"] as const,
  /** What agents announce per model (detectModelArchitecture's labels). */
  architectures: ["sd1", "sd2", "sd2-v", "sdxl", "sdxl-refiner", "lcm", "turbo", "inpainting"] as const,
  maxHiresScale: 4,
  upscaleScales: [2, 4] as const,
  hiresBuiltinUpscaler: "bicubic",
  /** CLIP quality gate: re-rolls per item, and counter-prompts of the fidelity check. */
  maxRerolls: 20,
  maxCounterPrompts: 8,
};
