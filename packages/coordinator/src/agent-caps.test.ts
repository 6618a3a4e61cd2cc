import type { Hello__Output } from "@atelier/protocol";
import { describe, expect, it } from "vitest";
import { defaultAgentCaps, helloProblem } from "./agent-caps.ts";

const hello = (extra: Partial<Hello__Output> = {}): Hello__Output => ({
  agentId: "a", name: "a", gpu: "cpu", memoryBytes: 0, providers: ["cpu"], models: ["m"], slots: 1, maxWidth: 512, maxHeight: 512, version: "1",
  modelInfo: [{ name: "m", architecture: "sd1" }], upscalers: [], ...extra,
} as Hello__Output);

describe("what a hello may claim", () => {
  const caps = defaultAgentCaps(10_000);
  it("accepts an ordinary hello", () => expect(helloProblem(hello(), caps)).toBeUndefined());
  it.each([
    ["a long name", { name: "n".repeat(129) }, "hello.name must be at most 128 characters (got 129)"],
    ["a long gpu", { gpu: "g".repeat(257) }, "hello.gpu must be at most 256 characters (got 257)"],
    ["too many models", { models: Array.from({ length: 257 }, (_, i) => `m${i}`) }, "hello.models may list at most 256 (got 257)"],
    ["too many providers", { providers: Array(17).fill("cpu") }, "hello.providers may list at most 16 (got 17)"],
    ["too many upscalers", { upscalers: Array.from({ length: 65 }, (_, i) => `u${i}`) }, "hello.upscalers may list at most 64 (got 65)"],
    ["a model name that is a path", { models: ["../../etc"] }, 'hello.models: "../../etc" is not a model name (letters, digits, . _ -, at most 128)'],
    ["a long architecture", { modelInfo: [{ name: "m", architecture: "x".repeat(33) }] }, "each architecture in hello.model_info must be at most 32 characters"],
  ])("refuses %s, naming the field and the limit", (_what, extra, problem) => {
    expect(helloProblem(hello(extra as Partial<Hello__Output>), caps)).toBe(problem);
  });
});
