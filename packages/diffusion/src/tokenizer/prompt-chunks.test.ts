import { describe, expect, it } from "vitest";
import { buildDemoTokenizerFiles } from "../demo/demo-tokenizer-files.ts";
import { DEMO_WORDS } from "../demo/demo-vocabulary.ts";
import { ClipTokenizer } from "./clip-tokenizer.ts";
import { parsePromptAttention } from "./prompt-attention.ts";
import { encodePrompt } from "./prompt-tokens.ts";

// Expected layouts worked out by hand from A1111's sd_hijack_clip.py
// (FrozenCLIPEmbedderWithCustomWordsBase.tokenize_line, with its defaults:
// chunk_length 75, comma_padding_backtrack 20) and prompt_parser.py's BREAK
// handling: every chunk is [BOS, up to 75 tokens, EOS, padding] = 77 ids; a
// chunk fills to 75 tokens, then the next starts; BREAK pads the current one
// out; at a full chunk a comma within the last 20 tokens moves the words
// after it to the next chunk.

const tok = new ClipTokenizer(buildDemoTokenizerFiles(DEMO_WORDS));
const id = (word: string) => tok.encode(word)[0]!;
const RED = id("red");
const BLUE = id("blue");
const CIRCLE = id("circle");
const COMMA = id(",");
const words = (word: string, n: number) => `${word} `.repeat(n);

/** A chunk as A1111 builds it: BOS, the tokens, EOS padding to 75, EOS (SD 1.x pads with EOS). */
function a1111Chunk(tokens: number[], weights: number[]): { ids: number[]; weights: number[] } {
  const pad = 75 - tokens.length;
  return {
    ids: [tok.startId, ...tokens, ...new Array<number>(pad).fill(tok.endId), tok.endId],
    weights: [1, ...weights, ...new Array<number>(pad + 1).fill(1)],
  };
}
const repeat = <T>(value: T, n: number): T[] => new Array<T>(n).fill(value);

describe("A1111 chunking", () => {
  it("uses single-token words for these cases", () => {
    expect(tok.encode("red blue circle ,")).toEqual([RED, BLUE, CIRCLE, COMMA]);
    expect(tok.padId).toBe(tok.endId);
  });

  it("cuts a 200-token prompt with BREAK and emphasis into 77-id chunks, each with its own BOS and EOS", () => {
    // 100 red | BREAK | 50 blue at 1.3, 50 circle
    const prompt = `${words("red", 100)}BREAK ${words("(blue:1.3)", 50)}${words("circle", 50)}`;
    const encoded = encodePrompt(tok, prompt);
    expect(encoded.count).toBe(200);
    expect(encoded.chunks).toEqual([
      a1111Chunk(repeat(RED, 75), repeat(1, 75)),
      a1111Chunk(repeat(RED, 25), repeat(1, 25)), // BREAK pads the second chunk out
      a1111Chunk([...repeat(BLUE, 50), ...repeat(CIRCLE, 25)], [...repeat(1.3, 50), ...repeat(1, 25)]),
      a1111Chunk(repeat(CIRCLE, 25), repeat(1, 25)),
    ]);
  });

  it("moves the words after a comma within 20 tokens of the boundary to the next chunk", () => {
    // 70 red, a comma at position 70, then 10 blue: the 76th token finds the comma 5 back.
    const near = encodePrompt(tok, `${words("red", 70)}, ${words("blue", 10)}`);
    expect(near.chunks).toEqual([a1111Chunk([...repeat(RED, 70), COMMA], repeat(1, 71)), a1111Chunk(repeat(BLUE, 10), repeat(1, 10))]);
    // A comma 25 back is too far: the chunk is cut at 75 tokens.
    const far = encodePrompt(tok, `${words("red", 50)}, ${words("blue", 30)}`);
    expect(far.chunks).toEqual([a1111Chunk([...repeat(RED, 50), COMMA, ...repeat(BLUE, 24)], repeat(1, 75)), a1111Chunk(repeat(BLUE, 6), repeat(1, 6))]);
  });

  it("keeps exactly 75 tokens in one chunk, and an empty prompt or a trailing BREAK adds none", () => {
    expect(encodePrompt(tok, words("red", 75)).chunks).toHaveLength(1);
    expect(encodePrompt(tok, `${words("red", 10)}BREAK`).chunks).toHaveLength(1);
    expect(encodePrompt(tok, "").chunks).toEqual([a1111Chunk([], [])]);
    expect(encodePrompt(tok, "red BREAK BREAK blue").chunks).toEqual([a1111Chunk([RED], [1]), a1111Chunk([], []), a1111Chunk([BLUE], [1])]);
  });

  it("pads after the first end marker with the pad token when they differ (SD 2.x)", () => {
    const files = buildDemoTokenizerFiles(DEMO_WORDS);
    const sd2 = new ClipTokenizer({ ...files, config: { pad_token: "!" } });
    expect(sd2.padId).toBe(0); // "!", the first byte piece, as in CLIP's vocab
    const [chunk] = encodePrompt(sd2, "red").chunks;
    expect(chunk!.ids.slice(0, 4)).toEqual([sd2.startId, RED, sd2.endId, 0]);
    expect(chunk!.ids.slice(3).every((i) => i === 0)).toBe(true);
  });
});

describe("BREAK in the emphasis parser", () => {
  it("is a run of its own, the spaces around it dropped (A1111's re_break)", () => {
    expect(parsePromptAttention("a red BREAK (blue)")).toEqual([
      { text: "a red", weight: 1 },
      { text: "BREAK", weight: 1, break: true },
      { text: "blue", weight: 1.1 },
    ]);
    // Only the capitalised whole word.
    expect(parsePromptAttention("break BREAKS")).toEqual([{ text: "break BREAKS", weight: 1 }]);
  });
});
