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
};
