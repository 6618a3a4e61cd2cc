import { describe, expect, it } from "vitest";
import { systemClock } from "./clock.ts";

describe("systemClock", () => {
  it("reads the host's wall clock and a monotonic clock that never goes back", () => {
    expect(Math.abs(systemClock.wallMs() - Date.now())).toBeLessThan(1_000);
    const readings = Array.from({ length: 1_000 }, () => systemClock.monotonicMs());
    expect(readings.every((reading, i) => i === 0 || reading >= readings[i - 1]!)).toBe(true);
  });
});
