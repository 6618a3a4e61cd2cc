import type { FarmScenario } from "./farm-scenario.ts";

/**
 * No schedule can finish before the farm has done all the work at full
 * capacity, counting each dying agent only until it dies (model loads and
 * lease timeouts cost extra, so leaving them out keeps this a true bound), and
 * each slowing agent at its lower speed once it slows, nor
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
  // Capacity is piecewise constant between deaths and slowdowns: find when its integral reaches the work.
  const changes = scenario.agents.flatMap((a) => [
    ...(a.crashesAt === undefined ? [] : [{ at: a.crashesAt, lost: a.speed - (a.slowsAt !== undefined && a.slowsAt < a.crashesAt ? a.speed * (1 - 1 / a.slowdown) : 0) }]),
    ...(a.slowsAt === undefined || (a.crashesAt !== undefined && a.crashesAt <= a.slowsAt) ? [] : [{ at: a.slowsAt, lost: a.speed * (1 - 1 / a.slowdown) }]),
  ]).sort((a, b) => a.at - b.at);
  let capacity = scenario.agents.reduce((sum, a) => sum + a.speed, 0);
  let at = 0;
  let left = work;
  for (const change of changes) {
    const span = change.at - at;
    if (capacity * span >= left) break;
    left -= capacity * span;
    at = change.at;
    capacity -= change.lost;
  }
  const workSeconds = at + left / capacity;
  const longestItemSeconds = longest / fastest;
  return { seconds: Math.max(workSeconds, longestItemSeconds), workSeconds, longestItemSeconds };
}
