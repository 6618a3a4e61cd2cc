import type { Plan__Output } from "@atelier/protocol";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { expandPlan } from "./expand-plan.ts";

const DEFAULTS = { model: "atelier-demo", width: 64, height: 64, steps: 4, guidance: 7.5, sampler: "euler" };

function plan(fields: Partial<Plan__Output>): Plan__Output {
  return { prompts: [], negativePrompt: "", promptMatrix: false, wildcards: [], seeds: [], seedRange: null, perPrompt: 0, axes: [], ...fields };
}

const all = (p: Plan__Output, baseSeed = 100) => [...expandPlan(p, DEFAULTS, baseSeed).items()];

function problemsOf(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("expandPlan", () => {
  it("expands the issue's plan to 72 items, x varying fastest, each with its axis value", () => {
    const issuePlan = plan({
      prompts: ["a {red|blue|green} {circle|square|triangle} on a white background"],
      seeds: [1, 2, 3, 4],
      axes: [{ name: "x", setting: "sampler", values: ["euler", "ddim"] }],
    });
    const expanded = expandPlan(issuePlan, DEFAULTS, 100);
    expect(expanded.count).toBe(72);
    const items = [...expanded.items()];
    expect(items).toHaveLength(72);
    expect(items.map((i) => i.index)).toEqual([...Array(72).keys()]);
    expect(items.slice(0, 3).map((i) => [i.prompt, i.seed, i.sampler, i.axes])).toEqual([
      ["a red circle on a white background", 1, "euler", { x: "euler" }],
      ["a red circle on a white background", 1, "ddim", { x: "ddim" }],
      ["a red circle on a white background", 2, "euler", { x: "euler" }],
    ]);
    expect(items[8]!.prompt).toBe("a red square on a white background");
    expect(new Set(items.map((i) => i.prompt)).size).toBe(9);
    // Every (prompt, seed, sampler) exactly once.
    expect(new Set(items.map((i) => `${i.prompt}/${i.seed}/${i.sampler}`)).size).toBe(72);
    expect(expanded.axes).toEqual([{ name: "x", setting: "sampler", values: ["euler", "ddim"] }]);
  });

  it("reads wildcards, nests alternatives and keeps escaped braces literal", () => {
    const items = all(plan({
      prompts: ["__colour__ {cat|dog{s|}} \\{x\\}"],
      wildcards: [{ name: "colour", values: ["red", "{dark|light} __shade__"] }, { name: "shade", values: ["blue"] }],
    }));
    expect(items.map((i) => i.prompt)).toEqual([
      "red cat {x}", "red dogs {x}", "red dog {x}",
      "dark blue cat {x}", "dark blue dogs {x}", "dark blue dog {x}",
      "light blue cat {x}", "light blue dogs {x}", "light blue dog {x}",
    ]);
  });

  it("makes A1111's prompt matrix: the base with every subset of the parts", () => {
    const prompts = all(plan({ prompts: ["a city|night|rain"], promptMatrix: true })).map((i) => i.prompt);
    expect(prompts.sort()).toEqual(["a city", "a city, night", "a city, night, rain", "a city, rain"]);
    // Without the matrix flag the bar is text.
    expect(all(plan({ prompts: ["a city|night"] })).map((i) => i.prompt)).toEqual(["a city|night"]);
  });

  it("applies prompt S/R, size, steps and guidance axes, recording each value as written", () => {
    const items = all(plan({
      prompts: ["a red car"],
      perPrompt: 2,
      axes: [
        { name: "z", setting: "size", values: ["64x128", "128x64"] },
        { name: "x", setting: "prompt_sr", values: ["red", "blue"] },
        { name: "y", setting: "cfg", values: ["1", "7.5"] },
      ],
    }), 40);
    expect(items).toHaveLength(16);
    expect(items[0]).toMatchObject({ prompt: "a red car", seed: 40, guidance: 1, width: 64, height: 128, axes: { x: "red", y: "1", z: "64x128" } });
    expect(items[1]).toMatchObject({ prompt: "a blue car", axes: { x: "blue", y: "1", z: "64x128" } });
    expect(items[2]).toMatchObject({ guidance: 7.5, axes: { x: "red", y: "7.5" } });
    expect(items[4]).toMatchObject({ width: 128, height: 64, axes: { z: "128x64" } });
    expect(items[8]).toMatchObject({ seed: 41, prompt: "a red car" });
  });

  it("takes seeds from a range or from a seed axis", () => {
    expect(all(plan({ prompts: ["p"], seedRange: { first: 10, count: 3 } })).map((i) => i.seed)).toEqual([10, 11, 12]);
    const items = all(plan({ prompts: ["p"], axes: [{ name: "y", setting: "seed", values: ["7", "9"] }] }));
    expect(items.map((i) => [i.seed, i.axes])).toEqual([[7, { y: "7" }], [9, { y: "9" }]]);
  });

  it("counts a huge plan without expanding it, and refuses one past the batch limit", () => {
    const wide = plan({ prompts: ["{a|b|c|d|e|f|g|h|i|j}{a|b|c|d|e|f|g|h|i|j}{a|b|c|d|e|f|g|h|i|j}"], seedRange: { first: 0, count: 1000 } });
    expect(expandPlan(wide, DEFAULTS, 0).count).toBe(1_000_000);
    const tooWide = plan({ prompts: wide.prompts, seedRange: { first: 0, count: 100_000 } });
    expect(problemsOf(() => expandPlan(tooWide, DEFAULTS, 0))).toEqual(["the plan makes 100000000 items; a batch may hold at most 5000000"]);
  });

  it("names the field and the limit for bad plans", () => {
    expect(problemsOf(() => expandPlan(plan({ prompts: ["x"], axes: [{ name: "x", setting: "colour", values: ["a"] }] }), DEFAULTS, 0))[0])
      .toMatch(/^axes\.x: "colour" is not a setting an axis can vary; use one of prompt_sr, seed, steps/);
    expect(problemsOf(() => expandPlan(plan({ prompts: ["x"], axes: [{ name: "x", setting: "sampler", values: ["euler", "warp"] }] }), DEFAULTS, 0)))
      .toEqual(['axes.x value "warp": sampler must be one of euler, euler_a, ddim, pndm, dpmpp_2m, dpmpp_2m_karras, lcm (got "warp")']);
    expect(problemsOf(() => expandPlan(plan({ prompts: ["x"], axes: [{ name: "w", setting: "steps", values: ["2"] }] }), DEFAULTS, 0)))
      .toEqual(['plan.axes: "w" is not an axis; axes are named x, y, z']);
    expect(problemsOf(() => expandPlan(plan({ prompts: ["x"], seeds: [1], perPrompt: 2 }), DEFAULTS, 0)))
      .toEqual(["plan: seeds and per_prompt each choose the seeds; give one of them"]);
    expect(problemsOf(() => expandPlan(plan({ prompts: ["a {b|c"] }), DEFAULTS, 0)))
      .toEqual(['plan.prompts[0]: the template has a "{" at character 3 that is never closed']);
    expect(problemsOf(() => expandPlan(plan({ prompts: ["a __nope__"] }), DEFAULTS, 0)))
      .toEqual(['plan.prompts[0]: the template uses the wildcard __nope__, but the plan has no list "nope" (it has none)']);
    expect(problemsOf(() => expandPlan(plan({ prompts: ["__a__"], wildcards: [{ name: "a", values: ["x __a__"] }] }), DEFAULTS, 0))[0])
      .toMatch(/nests wildcards more than 8 deep/);
    const values = Array.from({ length: 50 }, (_, i) => String(i + 1));
    expect(problemsOf(() => expandPlan(plan({ prompts: ["x"], axes: ["x", "y", "z"].map((name) => ({ name, setting: "steps", values })) }), DEFAULTS, 0)))
      .toEqual(["plan.axes: the axes make 125000 combinations of values; at most 100000"]);
    const sr = expandPlan(plan({ prompts: ["{red|green} car"], axes: [{ name: "x", setting: "prompt_sr", values: ["red", "blue"] }] }), DEFAULTS, 0);
    expect(problemsOf(() => [...sr.items()])).toEqual(['axes.x: prompt_sr searches for "red", which is not in the prompt "green car"']);
  });
});
