import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { RETRY_POLICY, withRetry } from "./retry-policy.ts";

const failure = (code: grpc.status, pushbackMs?: number) => {
  const metadata = new grpc.Metadata();
  if (pushbackMs !== undefined) metadata.set("grpc-retry-pushback-ms", String(pushbackMs));
  return Object.assign(new Error(`code ${code}`), { code, details: "", metadata });
};

describe("withRetry", () => {
  it("comes back when the server says, for as many attempts as the policy allows", async () => {
    let calls = 0;
    const started = performance.now();
    const value = await withRetry(async () => {
      if (++calls < 3) throw failure(grpc.status.UNAVAILABLE, 120);
      return "done";
    });
    expect(value).toBe("done");
    expect(calls).toBe(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(230);

    calls = 0;
    await expect(withRetry(async () => {
      calls++;
      throw failure(grpc.status.UNAVAILABLE, 0);
    }, { ...RETRY_POLICY, attempts: 2 })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(calls).toBe(2);
  });

  it("never repeats a call the server refused for its content", async () => {
    let calls = 0;
    await expect(withRetry(async () => {
      calls++;
      throw failure(grpc.status.INVALID_ARGUMENT);
    })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect(calls).toBe(1);
  });
});
