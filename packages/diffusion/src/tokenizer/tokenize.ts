import { join } from "node:path";
import { ClipTokenizer } from "./clip-tokenizer.ts";

// Conveniences for callers that hold a model directory rather than a
// tokenizer (the CLI's "how long is my prompt" check, validation before
// submission). Each call with a path reads the tokenizer files again.

type TokenizerSource = string | ClipTokenizer;

function resolveTokenizer(source: TokenizerSource): Promise<ClipTokenizer> {
  return typeof source === "string" ? ClipTokenizer.load(join(source, "tokenizer")) : Promise.resolve(source);
}

/** The BPE pieces of `text` (no start/end markers) for a model directory or tokenizer. */
export async function tokenize(source: TokenizerSource, text: string): Promise<string[]> {
  return (await resolveTokenizer(source)).tokenize(text);
}

/** Window positions `text` takes, start/end markers excluded; compare with 75 for CLIP. */
export async function countTokens(source: TokenizerSource, text: string): Promise<number> {
  return (await resolveTokenizer(source)).countTokens(text);
}
