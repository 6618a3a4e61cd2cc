import type { Hello__Output } from "@atelier/protocol";
import { LIMITS } from "./limits.ts";

/** What one agent may claim and send: an enrolled agent is trusted to render, not to size the coordinator's work. */
export interface AgentCaps {
  /** Slots an agent may announce (ATELIER_MAX_AGENT_SLOTS): more is taken as this many. It never holds more leases. */
  maxSlots: number;
  /** Largest image side an agent may announce. */
  maxSide: number;
  /** Messages waiting to be handled on one stream before it is ended with RESOURCE_EXHAUSTED. */
  maxQueuedMessages: number;
  /** Results in one ItemResults message. */
  maxResultsPerMessage: number;
  /** One agent's heartbeats reach the database at most this often. */
  minHeartbeatGapMs: number;
  /** Heartbeats one stream may send in a second before it is ended: an honest agent sends one per interval. */
  maxHeartbeatsPerSecond: number;
}

/** The caps when none are configured; heartbeats reach the database at most four times per interval. */
export function defaultAgentCaps(heartbeatIntervalMs: number, maxSlots = 16): AgentCaps {
  return {
    maxSlots,
    maxSide: LIMITS.maxSide,
    maxQueuedMessages: 256,
    maxResultsPerMessage: 1_000,
    minHeartbeatGapMs: Math.max(50, Math.floor(heartbeatIntervalMs / 4)),
    maxHeartbeatsPerSecond: 50,
  };
}

const TEXT = { name: 128, gpu: 256, version: 64, provider: 64, model: 128, architecture: 32 };
const LISTS = { providers: 16, models: 256, upscalers: 64 };

/** Why a Hello is refused, naming the field and the limit; undefined when it is fine. */
export function helloProblem(hello: Hello__Output, caps: AgentCaps): string | undefined {
  for (const field of ["name", "gpu", "version"] as const) {
    if (hello[field].length > TEXT[field]) return `hello.${field} must be at most ${TEXT[field]} characters (got ${hello[field].length})`;
  }
  if (hello.providers.length > LISTS.providers) return `hello.providers may list at most ${LISTS.providers} (got ${hello.providers.length})`;
  if (hello.models.length > LISTS.models) return `hello.models may list at most ${LISTS.models} (got ${hello.models.length})`;
  if (hello.upscalers.length > LISTS.upscalers) return `hello.upscalers may list at most ${LISTS.upscalers} (got ${hello.upscalers.length})`;
  if (hello.modelInfo.length > LISTS.models) return `hello.model_info may list at most ${LISTS.models} (got ${hello.modelInfo.length})`;
  if (hello.providers.some((p) => p.length > TEXT.provider)) return `each of hello.providers must be at most ${TEXT.provider} characters`;
  if (hello.modelInfo.some((m) => m.architecture.length > TEXT.architecture)) return `each architecture in hello.model_info must be at most ${TEXT.architecture} characters`;
  const badModel = [...hello.models, ...hello.upscalers, ...hello.modelInfo.map((m) => m.name)].find((m) => !LIMITS.modelName.test(m));
  if (badModel !== undefined) return `hello.models: "${badModel.slice(0, 40)}" is not a model name (letters, digits, . _ -, at most ${TEXT.model})`;
  if (hello.upscalers.length > LISTS.models) return `hello.upscalers may list at most ${LISTS.models} (got ${hello.upscalers.length})`;
  const badUpscaler = hello.upscalers.find((m) => !LIMITS.modelName.test(m));
  if (badUpscaler !== undefined) return `hello.upscalers: "${badUpscaler.slice(0, 40)}" is not a model name (letters, digits, . _ -, at most ${TEXT.model})`;
  if (hello.modelInfo.length > LISTS.models) return `hello.model_info may list at most ${LISTS.models} (got ${hello.modelInfo.length})`;
  const badInfo = hello.modelInfo.find((m) => !LIMITS.modelName.test(m.name) || !(LIMITS.architectures as readonly string[]).includes(m.architecture));
  if (badInfo !== undefined) return `hello.model_info: "${badInfo.name.slice(0, 40)}" must name a model and one of the architectures ${LIMITS.architectures.join(", ")} (got "${badInfo.architecture.slice(0, 40)}")`;
  if (!Number.isSafeInteger(Number(hello.memoryBytes))) return "hello.memory_bytes is out of range";
  if (caps.maxSlots < 1) return "the coordinator allows no slots";
  return undefined;
}
