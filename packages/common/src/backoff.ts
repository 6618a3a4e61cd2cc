// The one backoff of the house: exponential with full jitter ("Exponential
// Backoff and Jitter", AWS Architecture Blog, 2015). Retries of many clients
// after one outage spread out over the whole window instead of arriving
// together. Used by the agent (reconnects, uploads), the coordinator (HEAD
// checks of uploads), the SDK's retry policy and the dashboard's live
// updates. No Node APIs: the dashboard's browser bundle imports it.

export interface Backoff {
  /** The ceiling of the first retry's wait; it doubles per retry. */
  baseMs: number;
  /** The ceiling never grows past this. */
  maxMs: number;
}

/**
 * The wait before retry `retry` (0 for the first): uniform in
 * [0, min(maxMs, baseMs * 2^retry)]. `random` is for tests.
 */
export function backoffDelayMs(retry: number, backoff: Backoff, random: () => number = Math.random): number {
  // 2^retry overflows to Infinity past 1023, which min() then caps.
  return random() * Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, retry));
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  backoff: Backoff;
  /** Whether a failure is worth another try; a false answer rethrows it at once. */
  retryable(error: unknown): boolean;
  /** A wait the server asked for (e.g. gRPC's retry pushback), in place of the backoff; undefined for none. */
  pushbackMs?(error: unknown): number | undefined;
  /** Stops the waits (rejecting with the signal's reason). */
  signal?: AbortSignal;
}

/**
 * Runs `attempt` until it succeeds, a failure is not retryable, or the
 * attempts are spent (the last failure is thrown), waiting a full-jitter
 * backoff between tries. `attempt` is given the try's number, from 0.
 */
export async function retryWithBackoff<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n + 1 >= options.attempts || !options.retryable(error)) throw error;
      await sleep(options.pushbackMs?.(error) ?? backoffDelayMs(n, options.backoff), options.signal);
    }
  }
}
