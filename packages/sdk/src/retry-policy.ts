import * as grpc from "@grpc/grpc-js";
import { retryWithBackoff } from "@atelier/common/backoff";

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
export function withRetry<T>(call: () => Promise<T>, policy: typeof RETRY_POLICY = RETRY_POLICY): Promise<T> {
  return retryWithBackoff(call, {
    attempts: policy.attempts,
    backoff: { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs },
    retryable: (error) => policy.retryableCodes.has((error as grpc.ServiceError).code),
    pushbackMs: (error) => {
      const pushback = Number((error as grpc.ServiceError).metadata?.get("grpc-retry-pushback-ms")[0] ?? Number.NaN);
      return pushback >= 0 ? pushback : undefined;
    },
  });
}
