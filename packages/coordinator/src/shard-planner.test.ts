import { describe, expect, it } from "vitest";
import { LoadTimeEstimate, MODEL_AFFINITY, planShardSize, RateEstimate, switchAffinity } from "./shard-planner.ts";

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
