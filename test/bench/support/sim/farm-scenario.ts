import { seededRandom } from "./seeded-random.ts";

export interface SimBatch {
  id: string;
  tenant: string;
  model: string;
  items: number;
  priority: number;
  /** Seconds from the start of the run at which the batch is submitted. */
  submittedAt: number;
}

export interface SimAgent {
  id: string;
  /** Relative GPU speed: an item takes its model's seconds divided by this. */
  speed: number;
  /** The model loaded when the run starts. */
  loadedModel: string;
  /** Seconds from the start at which the agent dies (no more results, heartbeats or reports); undefined if it lives. */
  crashesAt: number | undefined;
  /** Seconds from the start after which its renders take `slowdown` times longer (a throttling GPU); undefined if never. */
  slowsAt: number | undefined;
  slowdown: number;
}

export interface FarmScenario {
  agents: SimAgent[];
  batches: SimBatch[];
  /** Seconds per item at speed 1, by model. */
  secondsPerItem: Record<string, number>;
  /** Seconds to load a model on an agent that holds another. */
  modelSwitchSeconds: number;
  /** Each item's own time varies by up to this fraction either way (prompts differ). */
  itemJitter: number;
  /** Per item (batch id + index), a uniform draw in [0, 1) for its jitter. */
  itemDraw(batchId: string, index: number): number;
}

export interface ScenarioOptions {
  agents: number;
  crashFraction: number;
  seed: number;
  /** The share of the agents that keep running but slow down partway through (stragglers); default none. */
  slowFraction?: number;
  /** How many times slower they get; default 8. */
  slowdown?: number;
}

/**
 * The farm of the scheduler issue: agents from 0.25x to 2x speed, three
 * tenants on three models of different cost, a model switch costing seconds,
 * and a tenth of the agents dying partway through; optionally, agents that
 * keep running but slow down partway through, unannounced.
 */
export function farmScenario(options: ScenarioOptions): FarmScenario {
  const random = seededRandom(options.seed);
  const models = ["sd15", "sdxl", "turbo"];
  const order = shuffle(Array.from({ length: options.agents }, (_, i) => i), random);
  const crashing = new Set(order.slice(0, Math.round(options.agents * options.crashFraction)));
  const slowing = new Set(order.slice(crashing.size, crashing.size + Math.round(options.agents * (options.slowFraction ?? 0))));
  const agents = Array.from({ length: options.agents }, (_, i): SimAgent => ({
    id: `agent-${String(i).padStart(3, "0")}`,
    // Evenly spread from 0.25x to 2x, in a shuffled order.
    speed: 0.25 + (1.75 * i) / Math.max(1, options.agents - 1),
    loadedModel: models[i % models.length]!,
    // Between a sixth and two thirds of the way through a run of about 700 s.
    crashesAt: crashing.has(i) ? 120 + random() * 350 : undefined,
    slowsAt: slowing.has(i) ? 120 + random() * 680 : undefined,
    slowdown: options.slowdown ?? 8,
  }));
  return {
    agents: shuffle(agents, random),
    batches: [
      { id: "studio-a", tenant: "studio-a", model: "sd15", items: 12_000, priority: 0, submittedAt: 0 },
      { id: "studio-b", tenant: "studio-b", model: "sdxl", items: 3_000, priority: 0, submittedAt: 0 },
      { id: "dataset-c", tenant: "dataset-c", model: "turbo", items: 20_000, priority: 0, submittedAt: 30 },
    ],
    secondsPerItem: { sd15: 2, sdxl: 6, turbo: 0.5 },
    modelSwitchSeconds: 8,
    itemJitter: 0.1,
    // A pure function of the item, so that every policy sees the same item take the same time.
    itemDraw: (batchId, index) => seededRandom(options.seed ^ (hashOf(batchId) + Math.imul(index, 2_654_435_761)))(),
  };
}

function hashOf(text: string): number {
  let hash = 2_166_136_261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16_777_619);
  return hash >>> 0;
}

function shuffle<T>(values: T[], random: () => number): T[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
