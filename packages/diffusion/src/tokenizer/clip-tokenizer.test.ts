import { describe, expect, it } from "vitest";
import { buildDemoTokenizerFiles } from "../demo/demo-tokenizer-files.ts";
import { DEMO_WORDS } from "../demo/demo-vocabulary.ts";
import { PromptTooLongError } from "../errors.ts";
import { BASE_CHARACTERS } from "./byte-unicode.ts";
import { ClipTokenizer } from "./clip-tokenizer.ts";

// A hand-made vocab: the 512 byte-level base tokens (same ids as CLIP's) and
// three merges, so every expectation below can be worked out on paper.
function tinyTokenizer(config?: Record<string, unknown>): ClipTokenizer {
  const pieces = [...BASE_CHARACTERS, ...BASE_CHARACTERS.map((c) => `${c}</w>`), "lo", "er</w>", "low</w>", "<|startoftext|>", "<|endoftext|>"];
  return new ClipTokenizer({
    vocab: Object.fromEntries(pieces.map((p, i) => [p, i])),
    merges: ["l o", "e r</w>", "lo w</w>"],
    ...(config ? { config } : {}),
  });
}

describe("ClipTokenizer", () => {
  it("applies merges by rank, with </w> marking the end of a word", () => {
    const tok = tinyTokenizer();
    // l o w → "l o" (rank 0) → lo w</w> → "lo w</w>" (rank 2)
    expect(tok.tokenize("low")).toEqual(["low</w>"]);
    // l o w e r</w> → lo w e r</w> → lo w er</w>; "lo w" is not a merge (w is not word-final)
    expect(tok.tokenize("lower")).toEqual(["lo", "w", "er</w>"]);
  });

  it("gives the base tokens CLIP's ids", () => {
    const tok = tinyTokenizer();
    // In CLIP's vocab "!" is id 0, "a" is 64, "!</w>" is 256 and "a</w>" is 320.
    expect(tok.encode("a")).toEqual([320]);
    expect(tok.encode("!")).toEqual([256]);
    expect(tok.encode("a!")).toEqual([320, 256]);
    expect(tok.encode("aa")).toEqual([64, 320]);
  });

  it("lower-cases, collapses whitespace and splits punctuation, digits and contractions", () => {
    const tok = tinyTokenizer();
    expect(tok.tokenize("  LOW\t\n low ")).toEqual(["low</w>", "low</w>"]);
    expect(tok.tokenize("low, lower!!")).toEqual(["low</w>", ",</w>", "lo", "w", "er</w>", "!", "!</w>"]);
    expect(tok.tokenize("42")).toEqual(["4</w>", "2</w>"]);
    expect(tok.tokenize("it's")).toEqual(["i", "t</w>", "'", "s</w>"]);
  });

  it("encodes non-ASCII text as UTF-8 bytes mapped to printable characters", () => {
    const tok = tinyTokenizer();
    // é = C3 A9: both bytes are printable Latin-1 and map to themselves.
    expect(tok.tokenize("café")).toEqual(["c", "a", "f", "Ã", "©</w>"]);
    // 🙂 = F0 9F 99 82: F0 is printable; 9F, 99 and 82 move to U+0100 + their rank among unprintable bytes.
    expect(tok.tokenize("🙂")).toEqual(["ð", "Ł", "Ļ", "Ĥ</w>"]);
    // NFC: "e" + combining acute is the same prompt as "é".
    expect(tok.tokenize("cafe\u0301")).toEqual(tok.tokenize("café"));
  });

  it("keeps special tokens whole", () => {
    const tok = tinyTokenizer();
    expect(tok.tokenize("low<|endoftext|>")).toEqual(["low</w>", "<|endoftext|>"]);
  });

  it("frames and pads the model input to the window", () => {
    const tok = tinyTokenizer();
    const ids = tok.encodeForModel("low");
    expect(ids).toHaveLength(77);
    expect(ids.slice(0, 4)).toEqual([tok.startId, 514, tok.endId, tok.endId]);
    // SD 2.x tokenizers pad with "!" instead of the end marker.
    const sd2 = tinyTokenizer({ pad_token: "!", model_max_length: 77 });
    expect(sd2.encodeForModel("low").slice(2, 4)).toEqual([sd2.endId, 0]);
  });

  it("refuses prompts longer than the window instead of truncating them", () => {
    const tok = tinyTokenizer();
    expect(tok.encodeForModel("low ".repeat(75))).toHaveLength(77);
    let error: unknown;
    try {
      tok.encodeForModel("low ".repeat(80) + "lower");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PromptTooLongError);
    expect((error as Error).name).toBe("PromptTooLongError");
    expect((error as Error).message).toBe("prompt is 83 tokens; the model's window is 77 (75 usable)");
    expect(tok.countTokens("low ".repeat(80) + "lower")).toBe(83);
  });

  it("makes every demo word a single token and leaves other words in byte pieces", () => {
    const files = buildDemoTokenizerFiles(DEMO_WORDS);
    const tok = new ClipTokenizer(files);
    for (const word of DEMO_WORDS) expect(tok.tokenize(word)).toEqual([`${word}</w>`]);
    expect(tok.tokenize("a red circle on a blue background")).toEqual(["a</w>", "red</w>", "circle</w>", "o", "n</w>", "a</w>", "blue</w>", "background</w>"]);
    // The ids of base tokens match CLIP's; specials come last.
    expect(tok.encode("a")).toEqual([320]);
    expect(tok.endId).toBe(Object.keys(files.vocab).length - 1);
  });
});
