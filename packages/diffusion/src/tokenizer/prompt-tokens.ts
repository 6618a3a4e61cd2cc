import { PromptTooLongError } from "../errors.ts";
import type { ClipTokenizer } from "./clip-tokenizer.ts";
import { parsePromptAttention } from "./prompt-attention.ts";

/** A prompt as the text encoder takes it: the padded window of ids and each position's emphasis weight. */
export interface PromptTokens {
  ids: number[];
  /** 1 for start, end and padding positions, as in A1111 */
  weights: number[];
  /** prompt tokens, start/end markers excluded */
  count: number;
}

/** Ids and weights of the prompt's text, A1111-style: each emphasis run is tokenized on its own. */
function weightedIds(tokenizer: ClipTokenizer, prompt: string): { ids: number[]; weights: number[] } {
  const ids: number[] = [];
  const weights: number[] = [];
  for (const run of parsePromptAttention(prompt)) {
    for (const id of tokenizer.encode(run.text)) {
      ids.push(id);
      weights.push(run.weight);
    }
  }
  return { ids, weights };
}

/** Window positions the prompt takes after emphasis syntax is parsed ("(red:1.3)" is one token). */
export function countPromptTokens(tokenizer: ClipTokenizer, prompt: string): number {
  return weightedIds(tokenizer, prompt).ids.length;
}

/**
 * The text encoder input for a prompt with emphasis: start marker, ids, end
 * marker, padding to the window. A prompt that does not fit throws
 * PromptTooLongError; truncating would render a different picture.
 */
export function encodePrompt(tokenizer: ClipTokenizer, prompt: string): PromptTokens {
  const { ids, weights } = weightedIds(tokenizer, prompt);
  const window = tokenizer.maxLength;
  if (ids.length > window - 2) throw new PromptTooLongError(ids.length, window);
  const padding = window - 2 - ids.length;
  return {
    ids: [tokenizer.startId, ...ids, tokenizer.endId, ...new Array<number>(padding).fill(tokenizer.padId)],
    weights: [1, ...weights, 1, ...new Array<number>(padding).fill(1)],
    count: ids.length,
  };
}

/**
 * A1111's emphasis on text-encoder output ("Original" mode): each position's
 * hidden state is multiplied by its weight, then the whole [T, D] tensor is
 * rescaled so its mean is what it was. Returns `hidden` itself when every
 * weight is 1.
 */
export function applyEmphasis(hidden: Float32Array, weights: readonly number[]): Float32Array {
  if (weights.every((w) => w === 1)) return hidden;
  const width = hidden.length / weights.length;
  let before = 0;
  let after = 0;
  const out = new Float32Array(hidden.length);
  for (let i = 0; i < hidden.length; i++) {
    const weighted = hidden[i]! * weights[Math.floor(i / width)]!;
    before += hidden[i]!;
    after += weighted;
    out[i] = weighted;
  }
  // A1111 divides unguarded; an all-zero weighted tensor would turn to NaN, so it is left as is.
  if (after === 0) return out;
  const rescale = before / after;
  for (let i = 0; i < out.length; i++) out[i]! *= rescale;
  return out;
}
