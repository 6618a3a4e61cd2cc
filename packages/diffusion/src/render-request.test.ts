import { describe, expect, it } from "vitest";
import { type RenderRequest, validateRenderRequest } from "./render-request.ts";

const valid: RenderRequest = {
  prompt: "a red circle",
  negativePrompt: "",
  seed: 0,
  width: 512,
  height: 512,
  steps: 20,
  guidance: 7.5,
  sampler: "euler",
};

const issuesFor = (change: Record<string, unknown>) => validateRenderRequest({ ...valid, ...change } as RenderRequest);

describe("validateRenderRequest", () => {
  it("accepts requests at the limits", () => {
    expect(validateRenderRequest(valid)).toEqual([]);
    expect(issuesFor({ width: 64, height: 2048, steps: 1, guidance: 0, seed: 4294967295, sampler: "ddim" })).toEqual([]);
    expect(issuesFor({ steps: 150, guidance: 30, prompt: "x".repeat(2000) })).toEqual([]);
  });

  it("names the field, the limit and the value", () => {
    expect(issuesFor({ width: 100000 })).toEqual(["width must be a multiple of 8 between 64 and 2048 (got 100000)"]);
    expect(issuesFor({ height: 260 })).toEqual(["height must be a multiple of 8 between 64 and 2048 (got 260)"]);
    expect(issuesFor({ steps: 0 })).toEqual(["steps must be an integer between 1 and 150 (got 0)"]);
    expect(issuesFor({ steps: 2.5 })).toEqual(["steps must be an integer between 1 and 150 (got 2.5)"]);
    expect(issuesFor({ guidance: 31 })).toEqual(["guidance must be a number between 0 and 30 (got 31)"]);
    expect(issuesFor({ guidance: Number.NaN })).toEqual(["guidance must be a number between 0 and 30 (got NaN)"]);
    expect(issuesFor({ seed: -1 })).toEqual(["seed must be an integer between 0 and 4294967295 (got -1)"]);
    expect(issuesFor({ seed: 4294967296 })).toEqual(["seed must be an integer between 0 and 4294967295 (got 4294967296)"]);
    expect(issuesFor({ seed: 1.5 })).toEqual(["seed must be an integer between 0 and 4294967295 (got 1.5)"]);
    expect(issuesFor({ prompt: "  \n " })).toEqual(["prompt must not be empty"]);
    expect(issuesFor({ prompt: "x".repeat(2001) })).toEqual(["prompt must be at most 2000 characters (got 2001)"]);
    expect(issuesFor({ negativePrompt: "x".repeat(2001) })).toEqual(["negativePrompt must be at most 2000 characters (got 2001)"]);
    expect(issuesFor({ sampler: "Euler a" })).toEqual(['sampler must be one of euler, euler_a, ddim, pndm, dpmpp_2m, dpmpp_2m_karras, lcm (got "Euler a")']);
  });

  it("reports every problem at once and survives wrong types from JSON", () => {
    const issues = issuesFor({ prompt: 42, width: "512", steps: null, sampler: undefined });
    expect(issues).toEqual([
      "prompt must be a string (got 42)",
      'width must be a multiple of 8 between 64 and 2048 (got "512")',
      "steps must be an integer between 1 and 150 (got null)",
      "sampler must be one of euler, euler_a, ddim, pndm, dpmpp_2m, dpmpp_2m_karras, lcm (got undefined)",
    ]);
  });
});
