import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { shiftWallClock } from "./wall-clock.ts";

const RealDate = globalThis.Date;

describe("shiftWallClock", () => {
  afterEach(() => {
    globalThis.Date = RealDate;
  });

  it("moves Date.now and new Date() by the offset, leaves explicit dates and the monotonic clock alone", () => {
    const [wall, monotonic] = [RealDate.now(), performance.now()];
    shiftWallClock(-600_000);
    expect(Date.now() - wall).toBeGreaterThan(-600_000 - 1_000);
    expect(Date.now() - wall).toBeLessThan(-600_000 + 1_000);
    expect(new Date().getTime() - wall).toBeLessThan(-600_000 + 1_000);
    expect(new Date(0).toISOString()).toBe("1970-01-01T00:00:00.000Z");
    expect(new Date(2026, 0, 2).getDate()).toBe(2);
    expect(new Date() instanceof RealDate).toBe(true);
    expect(performance.now() - monotonic).toBeLessThan(1_000);
  });
});
