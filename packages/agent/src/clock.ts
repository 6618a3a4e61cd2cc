import { performance } from "node:perf_hooks";

/**
 * Every time the agent reads. Leases are judged on `monotonicMs` alone, so a
 * host whose wall clock is minutes off (or jumps under NTP) never works past
 * a lease; `wallMs` only stamps what people read. Passed in through the
 * agent's options, so that a test can give an agent a skewed clock without
 * touching the process's globals.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch by this host's clock: may be off, and may jump. */
  wallMs(): number;
  /** Milliseconds from an arbitrary origin; never jumps, never goes back. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  wallMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};
