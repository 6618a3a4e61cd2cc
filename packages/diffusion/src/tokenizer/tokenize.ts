import { join } from "node:path";
import { ClipTokenizer } from "./clip-tokenizer.ts";
import { countPromptTokens } from "./prompt-tokens.ts";

// Conveniences for callers that hold a model directory rather than a
// tokenizer (the CLI's "how long is my prompt" check, validation before
// submission). Each call with a path reads the tokenizer files again.

type TokenizerSource = string | ClipTokenizer;

function resolveTokenizer(source: TokenizerSource): Promise<ClipTokenizer> {
  return typeof source === "string" ? ClipTokenizer.load(join(source, "tokenizer")) : Promise.resolve(source);
}

/** The BPE pieces of `text` taken literally (no emphasis parsing, no start/end markers). */
export async function tokenize(source: TokenizerSource, text: string): Promise<string[]> {
  return (await resolveTokenizer(source)).tokenize(text);
}

/**
 * Window positions a prompt takes as the pipeline reads it (A1111 emphasis
 * brackets parsed away), start/end markers excluded; compare with 75 for CLIP.
 */
export async function countTokens(source: TokenizerSource, text: string): Promise<number> {
  return countPromptTokens(await resolveTokenizer(source), text);
}
