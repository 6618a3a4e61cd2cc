import { planShardSize, switchAffinity } from "@atelier/coordinator";
import type { AgentState, BatchState, ShardChoice, ShardState, SimPolicy, SimulatedFarm } from "./simulated-farm.ts";

export interface CoordinatorPolicyOptions {
  targetShardMs: number;
  maxShardItems: number;
  probeItems: number;
  agingMsPerPriorityLevel: number;
  /** As the dispatcher: an agent with nothing queued copies the tail of a shard older than this; 0: never. */
  speculateAfterMs: number;
}

/**
 * The dispatcher's policy in virtual time: the batch choice mirrors
 * leaseStore.pickBatch (SQL, so it cannot run here), and the shard size comes
 * from the dispatcher's own planShardSize fed by the dispatcher's own
 * RateEstimate; with nothing queued, leaseStore.speculate's copy of a
 * straggler's tail, mirrored.
 */
export function coordinatorPolicy(options: CoordinatorPolicyOptions): SimPolicy {
  return {
    name: "coordinator",
    nextShard(farm, agent): ShardChoice | undefined {
      const batch = pickBatch(farm, agent, options.agingMsPerPriorityLevel, switchAffinity(agent.measuredLoadMs, options.targetShardMs));
      if (!batch) return options.speculateAfterMs > 0 ? speculate(farm, agent, options) : undefined;
      const maxItems = planShardSize({
        itemsPerSecond: agent.rate.itemsPerSecond,
        remaining: batch.items - batch.done,
        farmSlots: farm.farmSlots(),
        batchSlots: farm.liveShardsOf(batch),
        targetShardMs: options.targetShardMs,
        maxShardItems: options.maxShardItems,
        probeItems: options.probeItems,
      });
      return { batch, items: farm.takeQueued(batch, maxItems) };
    },
  };
}

/**
 * leaseStore.speculate: of the live, non-speculative shards of other agents
 * that have run longer than speculateAfterMs, the one with the most items it
 * still holds without a copy; the later half of those (by index), at most a
 * full shard.
 */
function speculate(farm: SimulatedFarm, agent: AgentState, options: CoordinatorPolicyOptions): ShardChoice | undefined {
  let best: { shard: ShardState; uncopied: number[] } | undefined;
  for (const shard of farm.liveShards) {
    if (shard.speculative || shard.agent === agent || (farm.now - shard.leasedAt) * 1000 <= options.speculateAfterMs) continue;
    const { batch } = shard;
    const uncopied = shard.items.filter((item) => !batch.doneItems[item] && batch.holder.get(item) === shard && !batch.copyHolder.has(item));
    if (uncopied.length > (best?.uncopied.length ?? 0)) best = { shard, uncopied };
  }
  if (!best) return undefined;
  const take = Math.min(options.maxShardItems, Math.ceil(best.uncopied.length / 2));
  return { batch: best.shard.batch, items: best.uncopied.sort((a, b) => a - b).slice(-take), speculative: true };
}

/**
 * leaseStore.pickBatch as the dispatcher calls it: the tenant with the fewest
 * leased items for its weight (all weights 1 here) first, the loaded model's
 * batch counting its tenant's share lowered by the agent's switchAffinity times the mean;
 * then the highest priority raised by age, then the model the agent has
 * loaded, then the oldest batch; only batches with a queued item.
 */
function pickBatch(farm: SimulatedFarm, agent: AgentState, agingMsPerPriorityLevel: number, modelAffinity: number): BatchState | undefined {
  const leasedByTenant = new Map<string, number>();
  for (const shard of farm.liveShards) {
    leasedByTenant.set(shard.batch.tenant, (leasedByTenant.get(shard.batch.tenant) ?? 0) + shard.items.length);
  }
  const eligible = farm.openBatches().filter((b) => b.queued.size > 0);
  const tenants = new Set(eligible.map((b) => b.tenant));
  const meanShare = [...tenants].reduce((n, t) => n + (leasedByTenant.get(t) ?? 0), 0) / Math.max(1, tenants.size);
  const key = (b: BatchState) => [
    (leasedByTenant.get(b.tenant) ?? 0) - (b.model === agent.loadedModel ? modelAffinity * meanShare : 0),
    -(b.priority + ((farm.now - b.submittedAt) * 1000) / agingMsPerPriorityLevel),
    b.model === agent.loadedModel ? 0 : 1,
    b.submittedAt,
  ];
  let best: BatchState | undefined;
  let bestKey: number[] = [];
  for (const batch of eligible) {
    const k = key(batch);
    if (!best || lexicallyBefore(k, bestKey)) [best, bestKey] = [batch, k];
  }
  return best;
}

function lexicallyBefore(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
