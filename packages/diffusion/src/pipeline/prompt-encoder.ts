import type { ClipTokenizer } from "../tokenizer/clip-tokenizer.ts";
import { applyEmphasis, encodePrompt, type PromptTokens } from "../tokenizer/prompt-tokens.ts";
import type { ClipTextEncoder } from "./clip-text-encoder.ts";

/** Text embeddings [T, D] of one prompt, emphasis applied. */
export interface PromptEmbedding {
  data: Float32Array;
  tokens: number;
  width: number;
}

// A farm batch repeats a handful of prompts (one negative prompt for every
// item, a template times many seeds); encoding is deterministic, so recent
// embeddings are kept.
const CACHE_ENTRIES = 64;

/** Tokenizer + text encoder + A1111 emphasis, with a small cache of recent prompts. */
export class PromptEncoder {
  private readonly cache = new Map<string, Promise<PromptEmbedding>>();

  constructor(
    private readonly tokenizer: ClipTokenizer,
    private readonly encoder: ClipTextEncoder,
  ) {}

  /** Token ids and weights; throws PromptTooLongError, so call it before any work. */
  tokens(prompt: string): PromptTokens {
    return encodePrompt(this.tokenizer, prompt);
  }

  embed(prompt: string): Promise<PromptEmbedding> {
    const cached = this.cache.get(prompt);
    if (cached) {
      this.cache.delete(prompt);
      this.cache.set(prompt, cached);
      return cached;
    }
    const encoding = this.encode(prompt);
    this.cache.set(prompt, encoding);
    encoding.catch(() => this.cache.delete(prompt));
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return encoding;
  }

  private async encode(prompt: string): Promise<PromptEmbedding> {
    const tokens = this.tokens(prompt);
    // Prompts are encoded one at a time: many exports fix the text encoder's batch at 1.
    const hidden = await this.encoder.encode(tokens.ids);
    const [, count, width] = hidden.dims;
    return { data: applyEmphasis(hidden.data, tokens.weights), tokens: count!, width: width! };
  }
}
