import { describe, expect, it } from "vitest";
import { backoffDelayMs, retryWithBackoff, sleep } from "./backoff.ts";

const RECONNECT = { baseMs: 1_000, maxMs: 60_000 };

describe("backoffDelayMs", () => {
  it("is bounded by the base doubling per retry, capped", () => {
    const ceilings = Array.from({ length: 9 }, (_, retry) => backoffDelayMs(retry, RECONNECT, () => 1));
    expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(backoffDelayMs(5_000, RECONNECT, () => 1)).toBe(60_000);
    expect(backoffDelayMs(5, RECONNECT, () => 0)).toBe(0);
    expect(backoffDelayMs(2, { baseMs: 200, maxMs: 500 }, () => 1)).toBe(500);
    expect(backoffDelayMs(1, { baseMs: 200, maxMs: 500 }, () => 0.5)).toBe(200);
  });

  it("is uniform over [0, ceiling]: full jitter, not a fixed wait plus noise", () => {
    const samples = Array.from({ length: 20_000 }, () => backoffDelayMs(3, RECONNECT));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(8_000);
    // Each eighth of the range holds about an eighth of the samples (expected 2,500; 5 sigma is about 235).
    const bins = Array.from({ length: 8 }, (_, bin) => samples.filter((s) => s >= bin * 1_000 && s < (bin + 1) * 1_000).length);
    for (const count of bins) expect(Math.abs(count - 2_500)).toBeLessThan(300);
  });
});

describe("retryWithBackoff", () => {
  const fast = { baseMs: 1, maxMs: 2 };

  it("retries what is retryable until it succeeds", async () => {
    const tries: number[] = [];
    const result = await retryWithBackoff(async (n) => {
      tries.push(n);
      if (n < 2) throw new Error("busy");
      return "done";
    }, { attempts: 5, backoff: fast, retryable: () => true });
    expect(result).toBe("done");
    expect(tries).toEqual([0, 1, 2]);
  });

  it("throws a final failure at once, and the last failure once the attempts are spent", async () => {
    let tries = 0;
    await expect(retryWithBackoff(async () => {
      tries++;
      throw new Error("denied");
    }, { attempts: 5, backoff: fast, retryable: () => false })).rejects.toThrow("denied");
    expect(tries).toBe(1);
    await expect(retryWithBackoff(async (n) => {
      throw new Error(`busy ${n}`);
    }, { attempts: 3, backoff: fast, retryable: () => true })).rejects.toThrow("busy 2");
  });

  it("waits what the server asks instead of the backoff", async () => {
    const started = performance.now();
    await retryWithBackoff(async (n) => {
      if (n === 0) throw new Error("come back in 150 ms");
    }, { attempts: 2, backoff: { baseMs: 0, maxMs: 0 }, retryable: () => true, pushbackMs: () => 150 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("stops waiting when its signal aborts", async () => {
    const controller = new AbortController();
    const waiting = retryWithBackoff(async () => {
      throw new Error("busy");
    }, { attempts: 5, backoff: { baseMs: 60_000, maxMs: 60_000 }, retryable: () => true, pushbackMs: () => 60_000, signal: controller.signal });
    controller.abort(new Error("stopped"));
    await expect(waiting).rejects.toThrow("stopped");
    await expect(sleep(10, controller.signal)).rejects.toThrow("stopped");
  });
});
