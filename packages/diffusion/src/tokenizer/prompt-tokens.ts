import type { ClipTokenizer } from "./clip-tokenizer.ts";
import { parsePromptAttention } from "./prompt-attention.ts";

// Prompts of any length, as AUTOMATIC1111 encodes them (sd_hijack_clip.py,
// tokenize_line): the prompt's tokens are cut into chunks of 75 (the CLIP
// window minus start and end markers), each chunk is padded to 75, wrapped
// in start/end markers and encoded on its own, and the encodings are
// concatenated along the token axis: a 200-token prompt becomes [3·77, D].
//  - "BREAK" ends the current chunk early (it is padded out).
//  - At a chunk boundary, when a comma came within the last 20 tokens
//    (A1111's comma_padding_backtrack default), the words after that comma
//    move to the next chunk, so a phrase is not split.
//  - Emphasis weights travel with their tokens into whatever chunk they land
//    in and are applied per chunk (A1111 encodes and rescales each chunk
//    separately), so emphasis works across chunks.
//  - Padding: A1111 pads a chunk with the end marker, then sets every
//    position after the first end marker to the pad token (which differs
//    only for SD 2.x's tokenizer).

/** A1111's comma_padding_backtrack default. */
export const COMMA_BACKTRACK_TOKENS = 20;

/** One window of text-encoder input: start, up to 75 ids, end, padding. */
export interface PromptChunk {
  ids: number[];
  /** 1 for start, end and padding positions, as in A1111 */
  weights: number[];
}

/** A prompt as the text encoder takes it, one window per chunk. */
export interface PromptTokens {
  chunks: PromptChunk[];
  /** prompt tokens, start/end markers and chunk padding excluded */
  count: number;
}

type Run = { ids: number[]; weight: number } | { break: true };

function weightedRuns(tokenizer: ClipTokenizer, prompt: string): Run[] {
  // Each emphasis run is tokenized on its own, as A1111 does.
  return parsePromptAttention(prompt).map((run) => (run.break ? { break: true } : { ids: tokenizer.encode(run.text), weight: run.weight }));
}

/** Tokens the prompt takes (emphasis syntax parsed, "(red:1.3)" is one token; BREAK and chunk padding not counted). */
export function countPromptTokens(tokenizer: ClipTokenizer, prompt: string): number {
  return weightedRuns(tokenizer, prompt).reduce((n, run) => n + ("ids" in run ? run.ids.length : 0), 0);
}

/** The padded, marked window for one chunk's ids. */
function closeChunk(tokenizer: ClipTokenizer, ids: number[], weights: number[]): PromptChunk {
  const length = tokenizer.maxLength - 2;
  const padding = length - ids.length;
  return {
    ids: [tokenizer.startId, ...ids, tokenizer.endId, ...new Array<number>(padding).fill(tokenizer.padId)],
    weights: [1, ...weights, 1, ...new Array<number>(padding).fill(1)],
  };
}

/** The chunk A1111 pads shorter prompts with: the empty prompt's window. */
export function emptyChunk(tokenizer: ClipTokenizer): PromptChunk {
  return closeChunk(tokenizer, [], []);
}

/** The chunks of a prompt of any length (see the top of this file). */
export function encodePrompt(tokenizer: ClipTokenizer, prompt: string, commaBacktrack = COMMA_BACKTRACK_TOKENS): PromptTokens {
  const length = tokenizer.maxLength - 2;
  const comma = tokenizer.tokenId(",</w>");
  const chunks: PromptChunk[] = [];
  let ids: number[] = [];
  let weights: number[] = [];
  let lastComma = -1;
  let count = 0;
  const next = () => {
    chunks.push(closeChunk(tokenizer, ids, weights));
    ids = [];
    weights = [];
    lastComma = -1;
  };
  for (const run of weightedRuns(tokenizer, prompt)) {
    if (!("ids" in run)) {
      next();
      continue;
    }
    for (const id of run.ids) {
      if (id === comma) {
        lastComma = ids.length;
      } else if (commaBacktrack > 0 && ids.length === length && lastComma !== -1 && ids.length - lastComma <= commaBacktrack) {
        const movedIds = ids.slice(lastComma + 1);
        const movedWeights = weights.slice(lastComma + 1);
        ids = ids.slice(0, lastComma + 1);
        weights = weights.slice(0, lastComma + 1);
        next();
        ids = movedIds;
        weights = movedWeights;
      }
      if (ids.length === length) next();
      ids.push(id);
      weights.push(run.weight);
      count++;
    }
  }
  if (ids.length > 0 || chunks.length === 0) next();
  return { chunks, count };
}

/**
 * A1111's emphasis on one chunk's text-encoder output ("Original" mode):
 * each position's hidden state is multiplied by its weight, then the whole
 * [T, D] tensor is rescaled so its mean is what it was. Returns `hidden`
 * itself when every weight is 1.
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
