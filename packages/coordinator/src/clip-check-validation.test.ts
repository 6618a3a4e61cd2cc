import { describe, expect, it } from "vitest";
import { validateItem } from "./item-validation.ts";

const item = { index: 0, prompt: "a red circle", negativePrompt: "", seed: 1, model: "atelier-demo", width: 64, height: 64, steps: 4, guidance: 7.5, sampler: "euler" };

describe("an item's CLIP check", () => {
  it("is refused with the field and the limit named when its gate or counter-prompts are out of bounds", () => {
    expect(validateItem({ ...item, clip: { score: true, minScore: 0.28, maxRerolls: 3, counterPrompts: ["a blue square"], fidelity: true } }, "p.jsonl:1")).toEqual([]);
    expect(validateItem({ ...item, clip: { score: true, minScore: 1.5 } }, "p.jsonl:2")).toEqual([
      "p.jsonl:2: clip.min_score must be a cosine similarity between -1 and 1 (got 1.5); LAION-5B kept pairs above 0.28",
    ]);
    expect(validateItem({ ...item, clip: { score: true, minScore: 0.2, maxRerolls: 21 } }, "p.jsonl:3")).toEqual([
      "p.jsonl:3: clip.max_rerolls must be an integer between 0 and 20 (got 21)",
    ]);
    expect(validateItem({ ...item, clip: { score: true, maxRerolls: 2 } }, "p.jsonl:4")).toEqual([
      "p.jsonl:4: clip.max_rerolls needs clip.min_score (has_min_score): re-rolls happen only below a gate",
    ]);
    expect(validateItem({ ...item, clip: { score: true, counterPrompts: Array.from({ length: 9 }, (_, i) => `p${i}`) } }, "p.jsonl:5")).toEqual([
      "p.jsonl:5: clip.counter_prompts has 9 prompts; the limit is 8",
    ]);
    expect(validateItem({ ...item, clip: { score: true, counterPrompts: ["  "] } }, "p.jsonl:6")).toEqual([
      "p.jsonl:6: each of clip.counter_prompts must be 1 to 2000 characters without control characters",
    ]);
  });
});
