import { describe, expect, it } from "vitest";
import { BASE_CHARACTERS } from "./byte-unicode.ts";
import { ClipTokenizer } from "./clip-tokenizer.ts";
import { parsePromptAttention } from "./prompt-attention.ts";
import { applyEmphasis, countPromptTokens, encodePrompt } from "./prompt-tokens.ts";

// Expected values worked out by hand from A1111's parse_prompt_attention:
// "(" multiplies what follows up to its ")" by 1.1, "[" .. "]" by 1/1.1,
// "(x:w)" by w; nesting multiplies.
describe("parsePromptAttention", () => {
  it("weights round, square and explicit brackets", () => {
    expect(parsePromptAttention("a (red:1.3) circle")).toEqual([
      { text: "a ", weight: 1 },
      { text: "red", weight: 1.3 },
      { text: " circle", weight: 1 },
    ]);
    expect(parsePromptAttention("(red)")).toEqual([{ text: "red", weight: 1.1 }]);
    expect(parsePromptAttention("[red]")).toEqual([{ text: "red", weight: 1 / 1.1 }]);
    expect(parsePromptAttention("a red circle")).toEqual([{ text: "a red circle", weight: 1 }]);
    expect(parsePromptAttention("")).toEqual([{ text: "", weight: 1 }]);
  });

  it("multiplies nested brackets", () => {
    expect(parsePromptAttention("((red))")).toEqual([{ text: "red", weight: 1.1 * 1.1 }]);
    // "(a (b:2))": b gets 2 from its own bracket, then both get 1.1 from the outer one.
    expect(parsePromptAttention("(a (b:2))")).toEqual([
      { text: "a ", weight: 1.1 },
      { text: "b", weight: 2 * 1.1 },
    ]);
    expect(parsePromptAttention("[(red:1.5)]")).toEqual([{ text: "red", weight: 1.5 / 1.1 }]);
  });

  it("keeps escaped brackets, stray closers and colons as text", () => {
    expect(parsePromptAttention("\\(red\\) circle")).toEqual([{ text: "(red) circle", weight: 1 }]);
    expect(parsePromptAttention("a red) circle: round")).toEqual([{ text: "a red) circle: round", weight: 1 }]);
    expect(parsePromptAttention("time 10:30")).toEqual([{ text: "time 10:30", weight: 1 }]);
  });

  it("applies unclosed brackets to the end of the prompt", () => {
    // ":1.5 circle" is not ":<number>)" so it stays text inside the open "(".
    expect(parsePromptAttention("a (red:1.5 circle")).toEqual([
      { text: "a ", weight: 1 },
      { text: "red:1.5 circle", weight: 1.1 },
    ]);
    expect(parsePromptAttention("a [blue")).toEqual([
      { text: "a ", weight: 1 },
      { text: "blue", weight: 1 / 1.1 },
    ]);
  });
});

// The 512 byte-level base tokens plus two merges, as in clip-tokenizer.test.ts.
function tinyTokenizer(): ClipTokenizer {
  const pieces = [...BASE_CHARACTERS, ...BASE_CHARACTERS.map((c) => `${c}</w>`), "lo", "low</w>", "<|startoftext|>", "<|endoftext|>"];
  return new ClipTokenizer({ vocab: Object.fromEntries(pieces.map((p, i) => [p, i])), merges: ["l o", "lo w</w>"] });
}

describe("encodePrompt", () => {
  it("gives every token its run's weight and 1 to the markers and padding", () => {
    const tok = tinyTokenizer();
    const low = 513; // "low</w>": after the 512 base pieces and "lo"
    const a = 320; // "a</w>" at CLIP's id
    const encoded = encodePrompt(tok, "a (low:1.5) [a]");
    expect(encoded.count).toBe(3);
    expect(encoded.chunks).toHaveLength(1);
    const [chunk] = encoded.chunks;
    expect(chunk!.ids.slice(0, 5)).toEqual([tok.startId, a, low, a, tok.endId]);
    expect(chunk!.weights.slice(0, 5)).toEqual([1, 1, 1.5, 1 / 1.1, 1]);
    expect(chunk!.ids).toHaveLength(77);
    expect(chunk!.weights.slice(5).every((w) => w === 1)).toBe(true);
  });

  it("counts tokens without the brackets and starts a chunk every 75 tokens", () => {
    const tok = tinyTokenizer();
    expect(countPromptTokens(tok, "(low:1.2) ".repeat(75))).toBe(75);
    expect(encodePrompt(tok, "(low:1.2) ".repeat(75)).chunks).toHaveLength(1);
    const long = encodePrompt(tok, "((low)) ".repeat(76));
    expect(long.count).toBe(76);
    expect(long.chunks).toHaveLength(2);
    expect(long.chunks[1]!.ids.slice(0, 3)).toEqual([tok.startId, 513, tok.endId]);
    expect(long.chunks[1]!.weights.slice(0, 3)).toEqual([1, 1.1 * 1.1, 1]);
  });
});

describe("applyEmphasis", () => {
  it("multiplies each position's hidden state by its weight, then restores the mean", () => {
    // 3 positions x 2 features; the middle position weighted 2.
    const hidden = Float32Array.of(1, 2, 3, 4, 0, 0);
    const out = applyEmphasis(hidden, [1, 2, 1]);
    // weighted: 1 2 6 8 0 0 (sum 17); original sum 10, so everything is scaled by 10/17.
    expect(Array.from(out)).toEqual([1, 2, 6, 8, 0, 0].map((v) => Math.fround(Math.fround(v) * (10 / 17))));
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(10, 5);
    expect(applyEmphasis(hidden, [1, 1, 1])).toBe(hidden);
  });
});
