import type { FarmScenario } from "./farm-scenario.ts";

/**
 * No schedule can finish before the farm has done all the work at full
 * capacity, counting each dying agent only until it dies (model loads and
 * lease timeouts cost extra, so leaving them out keeps this a true bound), nor
 * before the longest single item on the fastest agent.
 */
export function makespanLowerBound(scenario: FarmScenario): { seconds: number; workSeconds: number; longestItemSeconds: number } {
  let work = 0;
  let longest = 0;
  for (const batch of scenario.batches) {
    for (let i = 0; i < batch.items; i++) {
      const seconds = scenario.secondsPerItem[batch.model]! * (1 + scenario.itemJitter * (2 * scenario.itemDraw(batch.id, i) - 1));
      work += seconds;
      longest = Math.max(longest, seconds);
    }
  }
  const fastest = Math.max(...scenario.agents.map((a) => a.speed));
  // Capacity is piecewise constant between deaths: find when its integral reaches the work.
  const deaths = scenario.agents.filter((a) => a.crashesAt !== undefined).sort((a, b) => a.crashesAt! - b.crashesAt!);
  let capacity = scenario.agents.reduce((sum, a) => sum + a.speed, 0);
  let at = 0;
  let left = work;
  for (const agent of deaths) {
    const span = agent.crashesAt! - at;
    if (capacity * span >= left) break;
    left -= capacity * span;
    at = agent.crashesAt!;
    capacity -= agent.speed;
  }
  const workSeconds = at + left / capacity;
  const longestItemSeconds = longest / fastest;
  return { seconds: Math.max(workSeconds, longestItemSeconds), workSeconds, longestItemSeconds };
}
