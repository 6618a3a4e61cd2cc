import type { ClipTokenizer } from "../tokenizer/clip-tokenizer.ts";
import { applyEmphasis, encodePrompt, type PromptChunk, type PromptTokens } from "../tokenizer/prompt-tokens.ts";
import type { ClipTextEncoder } from "./clip-text-encoder.ts";

/** Text embeddings [chunks·T, D] of one prompt, emphasis applied per chunk. */
export interface PromptEmbedding {
  data: Float32Array;
  /** chunks · window (77 for CLIP) */
  tokens: number;
  width: number;
  chunks: number;
}

// A farm batch repeats a handful of prompts (one negative prompt for every
// item, a template times many seeds); encoding is deterministic, so recent
// embeddings are kept.
const CACHE_ENTRIES = 64;

/** Tokenizer + text encoder + A1111 chunking and emphasis, with a small cache of recent prompts. */
export class PromptEncoder {
  private readonly cache = new Map<string, Promise<PromptEmbedding>>();

  constructor(
    private readonly tokenizer: ClipTokenizer,
    private readonly encoder: ClipTextEncoder,
  ) {}

  /** Token ids and weights, chunked as A1111 does. */
  tokens(prompt: string): PromptTokens {
    return encodePrompt(this.tokenizer, prompt);
  }

  /** Why this model cannot run CLIP skip `clipSkip`, or undefined. */
  clipSkipProblem(clipSkip: number): Promise<string | undefined> {
    return this.encoder.clipSkipProblem(clipSkip, "final-layer-norm");
  }

  embed(prompt: string, clipSkip = 1): Promise<PromptEmbedding> {
    const key = `${clipSkip}\u0000${prompt}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const encoding = this.encode(this.tokens(prompt).chunks, clipSkip);
    this.cache.set(key, encoding);
    encoding.catch(() => this.cache.delete(key));
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return encoding;
  }

  /**
   * `embedding` followed by the empty prompt's chunk until it has `chunks`
   * chunks: how A1111 (pad_cond_uncond) evens out prompt and negative prompt
   * so that both run in one UNet batch.
   */
  async padTo(embedding: PromptEmbedding, chunks: number, clipSkip = 1): Promise<PromptEmbedding> {
    if (embedding.chunks >= chunks) return embedding;
    const empty = await this.embed("", clipSkip);
    const data = new Float32Array(chunks * empty.data.length);
    data.set(embedding.data);
    for (let c = embedding.chunks; c < chunks; c++) data.set(empty.data, c * empty.data.length);
    return { data, tokens: chunks * empty.tokens, width: embedding.width, chunks };
  }

  private async encode(chunks: readonly PromptChunk[], clipSkip: number): Promise<PromptEmbedding> {
    // Chunks are encoded one at a time: many exports fix the text encoder's batch at 1.
    const parts: Float32Array[] = [];
    let width = 0;
    let window = 0;
    for (const chunk of chunks) {
      const { hidden } = await this.encoder.encode(chunk.ids, clipSkip);
      window = hidden.dims[1]!;
      width = hidden.dims[2]!;
      parts.push(applyEmphasis(hidden.data, chunk.weights));
    }
    const data = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.forEach((part, i) => data.set(part, i * part.length));
    return { data, tokens: chunks.length * window, width, chunks: chunks.length };
  }
}

