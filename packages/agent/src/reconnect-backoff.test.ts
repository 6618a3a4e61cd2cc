import { describe, expect, it } from "vitest";
import { reconnectDelayMs } from "./reconnect-backoff.ts";

describe("reconnectDelayMs", () => {
  it("is bounded by 1 s doubling per attempt, capped at 60 s", () => {
    const ceilings = Array.from({ length: 9 }, (_, attempt) => reconnectDelayMs(attempt, undefined, () => 1));
    expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(reconnectDelayMs(40, undefined, () => 1)).toBe(60_000);
    expect(reconnectDelayMs(5, undefined, () => 0)).toBe(0);
  });

  it("is uniform over [0, ceiling]: full jitter, not a fixed wait plus noise", () => {
    const samples = Array.from({ length: 20_000 }, () => reconnectDelayMs(3));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(8_000);
    // Each eighth of the range holds about an eighth of the samples (expected 2,500; 5 sigma is about 235).
    const bins = Array.from({ length: 8 }, (_, bin) => samples.filter((s) => s >= bin * 1_000 && s < (bin + 1) * 1_000).length);
    for (const count of bins) expect(Math.abs(count - 2_500)).toBeLessThan(300);
  });

  it("takes its base and cap from the options", () => {
    expect(reconnectDelayMs(2, { baseMs: 200, maxMs: 500 }, () => 1)).toBe(500);
    expect(reconnectDelayMs(1, { baseMs: 200, maxMs: 500 }, () => 0.5)).toBe(200);
  });
});
