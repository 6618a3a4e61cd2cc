export interface ReconnectBackoff {
  baseMs: number;
  maxMs: number;
}

/** RELIABILITY.md: 1 s doubling to 60 s. */
export const DEFAULT_RECONNECT_BACKOFF: ReconnectBackoff = { baseMs: 1_000, maxMs: 60_000 };

/**
 * The wait before reconnect attempt `attempt` (0 for the first after a loss):
 * full jitter, uniform in [0, min(maxMs, baseMs * 2^attempt)], so that the
 * agents of a restarted coordinator come back spread out, not as one herd.
 */
export function reconnectDelayMs(attempt: number, backoff: ReconnectBackoff = DEFAULT_RECONNECT_BACKOFF, random: () => number = Math.random): number {
  return random() * Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt);
}
