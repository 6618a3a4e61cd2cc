/**
 * How many items to put in the next shard for one agent: enough to keep it
 * busy for about `targetShardMs` at its measured rate, no more than its fair
 * part of what is left (so the end of a batch spreads over the agents that
 * share it instead of waiting on one), and small while the rate is still
 * unknown. Pure, so that the farm simulation can use exactly the
 * dispatcher's policy.
 */
export interface ShardPlanInput {
  /** The agent's measured rate; undefined until it has reported results. */
  itemsPerSecond: number | undefined;
  /** Items of the batch not yet settled (queued or leased). */
  remaining: number;
  /** Slots across every connected, non-draining agent. */
  farmSlots: number;
  /** Live shards of this batch across the farm (copies too): the slots already working on it. */
  batchSlots: number;
  targetShardMs: number;
  maxShardItems: number;
  /** Items in a first shard, before the agent's rate is known. */
  probeItems: number;
}

export function planShardSize(input: ShardPlanInput): number {
  const byDuration = input.itemsPerSecond === undefined
    ? input.probeItems
    : Math.max(1, Math.floor((input.itemsPerSecond * input.targetShardMs) / 1000));
  const fairPart = Math.ceil(input.remaining / Math.max(1, 2 * endSharingSlots(input.farmSlots, input.batchSlots)));
  return Math.max(1, Math.min(input.maxShardItems, byDuration, fairPart));
}

/**
 * The share of the farm's slots counted as joining a batch's end besides
 * those already on it: agents coming free from other work. In the farm
 * simulation (test/bench/farm-sim.ts, seeds 1-16, 64 slots) an eighth took
 * the mean makespan from 1.0276 to 1.0255 of the lower bound, against the
 * whole farm, with about 2 s less spent loading models; 4 or 16 slots did
 * less well on 8 seeds, and no margin at all spread the end of the farm's
 * last batch over too few agents (worst seed 1.035).
 */
export const END_JOINING_SHARE = 1 / 8;

/**
 * How many slots the end of a batch is spread over: those already working on
 * it and the next few to come free, never more than the farm. Spreading it
 * over the whole farm while most of the farm works on other batches shrinks
 * the batch's shards early; its tenant then holds few leased items and looks
 * under-served, and fair share pulls agents through a model load for shards
 * of a few items that its own agents would have finished anyway.
 */
export function endSharingSlots(farmSlots: number, batchSlots: number): number {
  return Math.min(farmSlots, batchSlots + Math.ceil(farmSlots * END_JOINING_SHARE));
}

/**
 * How far fair share may bend toward the model an agent has loaded (see
 * leaseStore.pickBatch): its batch counts its tenant's share lowered by this
 * fraction of the mean tenant share. In the farm simulation (test/bench/
 * farm-sim.ts: 64 agents, three models, an 8 s model load) strict fair share
 * (0) switched models about 500 times and finished 8-10% over the lower
 * bound; 0.9 switches about 180 times and finishes 3.5% over it. Below 1, a
 * tenant with nothing leased still goes before any tenant at or above the
 * mean, so no one starves.
 */
export const MODEL_AFFINITY = 0.9;

/**
 * The bend for one agent, charging a model switch its measured load time: a
 * load that costs most of a shard's duration bends fair share as far as
 * MODEL_AFFINITY allows, a load that costs little hardly at all. Until the
 * agent has loaded a model, a switch is assumed to be expensive.
 */
export function switchAffinity(measuredLoadMs: number | undefined, targetShardMs: number): number {
  return measuredLoadMs === undefined ? MODEL_AFFINITY : Math.min(MODEL_AFFINITY, measuredLoadMs / targetShardMs);
}

/**
 * An exponentially weighted rate of items per second, from the time each
 * item took. Recent items weigh more, so a GPU that slows down (thermal, a
 * bigger model) is noticed within a few items.
 */
export class RateEstimate {
  private secondsPerItem: number | undefined;

  constructor(private readonly weight = 0.3) {}

  record(itemMs: number): void {
    const seconds = Math.max(itemMs, 1) / 1000;
    this.secondsPerItem = this.secondsPerItem === undefined ? seconds : this.secondsPerItem * (1 - this.weight) + seconds * this.weight;
  }

  get itemsPerSecond(): number | undefined {
    return this.secondsPerItem === undefined ? undefined : 1 / this.secondsPerItem;
  }
}

/** An agent's model loads, exponentially weighted: what its next model switch will likely cost. */
export class LoadTimeEstimate {
  private ms: number | undefined;

  constructor(private readonly weight = 0.5) {}

  record(loadMs: number): void {
    this.ms = this.ms === undefined ? loadMs : this.ms * (1 - this.weight) + loadMs * this.weight;
  }

  get loadMs(): number | undefined {
    return this.ms;
  }
}
