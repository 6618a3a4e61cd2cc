import { describe, expect, it } from "vitest";
import { planShardSize, RateEstimate } from "./shard-planner.ts";

const base = { remaining: 10_000, farmSlots: 4, targetShardMs: 10_000, maxShardItems: 64, probeItems: 2 };

describe("planShardSize", () => {
  it("probes with a small shard until the agent's rate is known", () => {
    expect(planShardSize({ ...base, itemsPerSecond: undefined })).toBe(2);
  });

  it("sizes to the target duration at the agent's rate, capped", () => {
    expect(planShardSize({ ...base, itemsPerSecond: 2 })).toBe(20);
    expect(planShardSize({ ...base, itemsPerSecond: 0.05 })).toBe(1);
    expect(planShardSize({ ...base, itemsPerSecond: 100 })).toBe(64);
  });

  it("shrinks toward the end of a batch so every agent gets a part", () => {
    expect(planShardSize({ ...base, itemsPerSecond: 10, remaining: 40 })).toBe(5);
    expect(planShardSize({ ...base, itemsPerSecond: 10, remaining: 1 })).toBe(1);
  });
});

describe("RateEstimate", () => {
  it("follows a slowing agent", () => {
    const rate = new RateEstimate(0.5);
    expect(rate.itemsPerSecond).toBeUndefined();
    rate.record(100);
    expect(rate.itemsPerSecond).toBeCloseTo(10);
    rate.record(300);
    expect(rate.itemsPerSecond).toBeCloseTo(5);
  });
});
