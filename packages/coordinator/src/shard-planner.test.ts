import { describe, expect, it } from "vitest";
import { endSharingSlots, LoadTimeEstimate, MODEL_AFFINITY, planShardSize, RateEstimate, switchAffinity } from "./shard-planner.ts";

const base = { remaining: 10_000, farmSlots: 4, batchSlots: 4, targetShardMs: 10_000, maxShardItems: 64, probeItems: 2 };

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

  it("spreads the end of a batch over the slots on it and an eighth of the farm, not the whole farm", () => {
    // 64 slots, 10 items/s: 100 items by duration, so the cap (64) or the fair part decides.
    const farm = { ...base, farmSlots: 64, itemsPerSecond: 10, remaining: 320 };
    expect(planShardSize({ ...farm, batchSlots: 8 })).toBe(10); // 320 / (2 * (8 + 8))
    expect(planShardSize({ ...farm, batchSlots: 0 })).toBe(20); // 320 / (2 * 8)
    expect(planShardSize({ ...farm, batchSlots: 60 })).toBe(3); // 320 / (2 * 64), rounded up
    expect(planShardSize({ ...farm, batchSlots: 0, remaining: 2_000 })).toBe(64); // 125, capped
  });
});

describe("endSharingSlots", () => {
  it("counts the slots on the batch and an eighth of the farm (rounded up), at most the farm", () => {
    expect(endSharingSlots(64, 8)).toBe(16);
    expect(endSharingSlots(10, 0)).toBe(2);
    expect(endSharingSlots(64, 60)).toBe(64);
    expect(endSharingSlots(4, 4)).toBe(4);
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

  it("charges a model switch its measured load time, as a share of a shard's duration", () => {
    const load = new LoadTimeEstimate();
    expect(switchAffinity(load.loadMs, 10_000)).toBe(MODEL_AFFINITY); // unknown: assumed expensive
    load.record(500);
    expect(switchAffinity(load.loadMs, 10_000)).toBeCloseTo(0.05);
    load.record(1_500);
    expect(load.loadMs).toBe(1_000);
    expect(switchAffinity(load.loadMs, 10_000)).toBeCloseTo(0.1);
    expect(switchAffinity(60_000, 10_000)).toBe(MODEL_AFFINITY); // never past the cap: no tenant starves
  });
});
