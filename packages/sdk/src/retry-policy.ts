import * as grpc from "@grpc/grpc-js";
import { setTimeout as sleep } from "node:timers/promises";

/** The one client retry policy: these codes, exponential backoff with full jitter, a cap. */
export const RETRY_POLICY = {
  retryableCodes: new Set([grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED, grpc.status.ABORTED]),
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

/** Runs a unary call, retrying what the policy allows. Only for calls that are safe to repeat. */
export async function withRetry<T>(call: () => Promise<T>, policy = RETRY_POLICY): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const code = (error as grpc.ServiceError).code;
      if (attempt + 1 >= policy.attempts || !policy.retryableCodes.has(code)) throw error;
      await sleep(Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
    }
  }
}
