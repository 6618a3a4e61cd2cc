import type { ClipTokenizer } from "../tokenizer/clip-tokenizer.ts";
import { applyEmphasis, encodePrompt, type PromptTokens } from "../tokenizer/prompt-tokens.ts";
import type { ClipTextEncoder } from "./clip-text-encoder.ts";

/** Text embeddings [chunks·T, D] of one prompt, emphasis applied per chunk. */
export interface PromptEmbedding {
  data: Float32Array;
  /** chunks · window (77 for CLIP) */
  tokens: number;
  width: number;
  chunks: number;
  /** SDXL: text_encoder_2's pooled `text_embeds` of the first chunk [P] */
  pooled?: Float32Array;
}

/** One tokenizer + text encoder pair. */
export interface TextBranch {
  tokenizer: ClipTokenizer;
  encoder: ClipTextEncoder;
}

/**
 * "sd": one encoder's last layer (CLIP skip k: the k-th from the end, with
 * the final LayerNorm). "sdxl": every encoder's penultimate hidden state
 * without the norm (CLIP skip k: one further back, diffusers'
 * hidden_states[-(clip_skip + 2)] with clip_skip = k - 1), concatenated along
 * the feature axis, and the last encoder's pooled output, as diffusers'
 * StableDiffusionXLPipeline.encode_prompt does.
 */
export type ConditioningStyle = "sd" | "sdxl";

// A farm batch repeats a handful of prompts (one negative prompt for every
// item, a template times many seeds); encoding is deterministic, so recent
// embeddings are kept.
const CACHE_ENTRIES = 64;

/** Tokenizers + text encoders + A1111 chunking and emphasis, with a small cache of recent prompts. */
export class PromptEncoder {
  private readonly cache = new Map<string, Promise<PromptEmbedding>>();
  private readonly branches: readonly TextBranch[];

  constructor(
    branches: TextBranch | readonly TextBranch[],
    private readonly style: ConditioningStyle = "sd",
  ) {
    this.branches = Array.isArray(branches) ? branches : [branches as TextBranch];
    if (this.branches.length === 0) throw new RangeError("a prompt encoder needs at least one text encoder");
    if (style === "sd" && this.branches.length !== 1) throw new RangeError("SD 1.x/2.x conditioning has exactly one text encoder");
  }

  /** Token ids and weights of the first tokenizer, chunked as A1111 does (every branch chunks alike: same vocabulary, different padding). */
  tokens(prompt: string): PromptTokens {
    return encodePrompt(this.branches[0]!.tokenizer, prompt);
  }

  /** Why this model cannot run CLIP skip `clipSkip`, or undefined. */
  async clipSkipProblem(clipSkip: number): Promise<string | undefined> {
    if (this.style === "sd") return this.branches[0]!.encoder.clipSkipProblem(clipSkip, "final-layer-norm");
    for (const branch of this.branches) {
      const problem = await branch.encoder.clipSkipProblem(clipSkip + 1, "raw");
      if (problem) return problem;
    }
    return undefined;
  }

  embed(prompt: string, clipSkip = 1): Promise<PromptEmbedding> {
    const key = `${clipSkip}\u0000${prompt}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const encoding = this.encode(prompt, clipSkip);
    this.cache.set(key, encoding);
    encoding.catch(() => this.cache.delete(key));
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return encoding;
  }

  /** diffusers' force_zeros_for_empty_prompt: an all-zero negative conditioning (and pooled output) of `like`'s shape. */
  zerosLike(like: PromptEmbedding): PromptEmbedding {
    return { ...like, data: new Float32Array(like.data.length), ...(like.pooled ? { pooled: new Float32Array(like.pooled.length) } : {}) };
  }

  /**
   * `embedding` followed by the empty prompt's chunk until it has `chunks`
   * chunks: how A1111 (pad_cond_uncond) evens out prompt and negative prompt
   * so that both run in one UNet batch.
   */
  async padTo(embedding: PromptEmbedding, chunks: number, clipSkip = 1): Promise<PromptEmbedding> {
    if (embedding.chunks >= chunks) return embedding;
    const perChunk = embedding.data.length / embedding.chunks;
    const filler = (await this.embed("", clipSkip)).data;
    const data = new Float32Array(chunks * perChunk);
    data.set(embedding.data);
    for (let c = embedding.chunks; c < chunks; c++) data.set(filler, c * perChunk);
    return { ...embedding, data, tokens: (chunks * embedding.tokens) / embedding.chunks, chunks };
  }

  private async encode(prompt: string, clipSkip: number): Promise<PromptEmbedding> {
    const perBranch = this.branches.map((branch) => encodePrompt(branch.tokenizer, prompt).chunks);
    const chunkCount = perBranch[0]!.length;
    // Chunks are encoded one at a time: many exports fix the text encoder's batch at 1.
    const parts: Float32Array[] = [];
    let width = 0;
    let window = 0;
    let pooled: Float32Array | undefined;
    for (let c = 0; c < chunkCount; c++) {
      const states: { data: Float32Array; width: number }[] = [];
      for (const [b, branch] of this.branches.entries()) {
        const chunk = perBranch[b]![c]!;
        const { hidden, pooled: branchPooled } =
          this.style === "sd" ? await branch.encoder.encode(chunk.ids, clipSkip) : await branch.encoder.encode(chunk.ids, clipSkip + 1, "raw");
        window = hidden.dims[1]!;
        // A1111 applies emphasis to each embedder's output on its own (sd_hijack_clip per embedder).
        states.push({ data: applyEmphasis(hidden.data, chunk.weights), width: hidden.dims[2]! });
        if (c === 0 && b === this.branches.length - 1) pooled = branchPooled;
      }
      width = states.reduce((n, s) => n + s.width, 0);
      parts.push(states.length === 1 ? states[0]!.data : concatFeatures(states, window, width));
    }
    if (this.style === "sdxl" && !pooled) throw new Error("SDXL conditioning needs the last text encoder's pooled output (text_embeds)");
    const data = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.forEach((part, i) => data.set(part, i * part.length));
    return { data, tokens: chunkCount * window, width, chunks: chunkCount, ...(this.style === "sdxl" && pooled ? { pooled } : {}) };
  }
}

/** [T, D1] + [T, D2] + ... -> [T, D1 + D2 + ...] */
function concatFeatures(states: readonly { data: Float32Array; width: number }[], tokens: number, width: number): Float32Array {
  const out = new Float32Array(tokens * width);
  for (let t = 0; t < tokens; t++) {
    let offset = t * width;
    for (const state of states) {
      out.set(state.data.subarray(t * state.width, (t + 1) * state.width), offset);
      offset += state.width;
    }
  }
  return out;
}
