import * as grpc from "@grpc/grpc-js";
import { setTimeout as sleep } from "node:timers/promises";

/** The one client retry policy: these codes, exponential backoff with full jitter, a cap. */
export const RETRY_POLICY = {
  retryableCodes: new Set([grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED, grpc.status.ABORTED]),
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

/**
 * Runs a unary call, retrying what the policy allows; a server that says when
 * to come back (grpc-retry-pushback-ms, e.g. a busy database) is taken at its
 * word. Only for calls that are safe to repeat.
 */
export async function withRetry<T>(call: () => Promise<T>, policy: typeof RETRY_POLICY = RETRY_POLICY): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const { code, metadata } = error as grpc.ServiceError;
      if (attempt + 1 >= policy.attempts || !policy.retryableCodes.has(code)) throw error;
      const pushbackMs = Number(metadata?.get("grpc-retry-pushback-ms")[0] ?? Number.NaN);
      await sleep(pushbackMs >= 0 ? pushbackMs : Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
    }
  }
}
