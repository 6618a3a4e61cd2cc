import { describe, expect, it } from "vitest";
import { skewedClock, systemClock } from "./clock.ts";

describe("skewedClock", () => {
  it("moves wall time by the offset and leaves monotonic time alone", () => {
    const base = { wallMs: () => 1_000_000, monotonicMs: () => 42 };
    const behind = skewedClock(-600_000, base);
    expect(behind.wallMs()).toBe(400_000);
    expect(behind.monotonicMs()).toBe(42);
  });

  it("leaves the process's own clock alone", () => {
    const before = Date.now();
    const ahead = skewedClock(600_000);
    expect(ahead.wallMs() - Date.now()).toBeGreaterThan(600_000 - 1_000);
    expect(Date.now() - before).toBeLessThan(1_000);
    expect(Math.abs(systemClock.wallMs() - Date.now())).toBeLessThan(1_000);
  });
});
