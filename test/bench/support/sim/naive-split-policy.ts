import type { AgentState, BatchState, ShardChoice, SimPolicy } from "./simulated-farm.ts";

/**
 * The naive static split: each batch cut into equal parts, one per agent, up
 * front; an agent works through its parts in order. When an agent dies, its
 * unfinished items are cut again among the agents still alive once the
 * coordinator notices (the lease TTL).
 */
export function naiveSplitPolicy(): SimPolicy {
  const parts = new Map<AgentState, ShardChoice[]>();
  const split = (batch: BatchState, items: number[], agents: AgentState[]) => {
    const per = Math.ceil(items.length / agents.length);
    agents.forEach((agent, k) => {
      const slice = items.slice(k * per, (k + 1) * per);
      if (slice.length > 0) parts.set(agent, [...(parts.get(agent) ?? []), { batch, items: slice }]);
    });
  };
  let planned = false;
  return {
    name: "naive static split",
    nextShard(farm, agent) {
      if (!planned) {
        planned = true;
        for (const batch of farm.batches) split(batch, Array.from({ length: batch.items }, (_, i) => i), farm.agents);
      }
      const next = parts.get(agent)?.[0];
      // In order: a part of a batch not yet submitted waits for it.
      if (!next || next.batch.submittedAt > farm.now) return undefined;
      parts.get(agent)!.shift();
      // The items are leased now: they leave the batch's queue (they were queued at submission).
      const taken = new Set(next.items);
      const keep: number[] = [];
      while (next.batch.queued.size > 0) {
        const item = next.batch.queued.pop()!;
        if (!taken.has(item)) keep.push(item);
      }
      for (const item of keep) next.batch.queued.push(item);
      return next;
    },
    onRequeued(farm, batch, items) {
      split(batch, items, farm.agents.filter((a) => a.alive));
    },
    onAgentGone(farm, agent) {
      // Its parts not yet started are cut again among the living, as its expired lease's items are.
      for (const part of parts.get(agent) ?? []) split(part.batch, part.items, farm.agents.filter((a) => a.alive));
      parts.delete(agent);
    },
  };
}
