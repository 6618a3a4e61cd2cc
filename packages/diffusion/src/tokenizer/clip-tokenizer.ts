import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ModelFormatError, PromptTooLongError } from "../errors.ts";
import { toByteCharacters } from "./byte-unicode.ts";
import { cleanPromptText, END_OF_TEXT, preTokenize, START_OF_TEXT } from "./clip-text.ts";

// CLIP's window: 77 positions, of which start and end markers take two.
const DEFAULT_MAX_LENGTH = 77;
const END_OF_WORD = "</w>";
// Bounds the per-word BPE cache; a million-prompt batch has a long tail of words.
const WORD_CACHE_LIMIT = 50_000;

/** The parsed contents of a `tokenizer/` folder. */
export interface ClipTokenizerFiles {
  /** vocab.json: piece -> id */
  vocab: Record<string, number>;
  /** merges.txt lines after the "#version" header, each "left right", in rank order */
  merges: readonly string[];
  /** tokenizer_config.json, when the export has one */
  config?: Record<string, unknown>;
}

/** CLIP byte-level BPE tokenizer as used by Stable Diffusion 1.x/2.x text encoders. */
export class ClipTokenizer {
  /** Positions the text encoder takes, start and end markers included. */
  readonly maxLength: number;
  readonly startId: number;
  readonly endId: number;
  readonly padId: number;
  readonly unknownId: number;

  private readonly vocab: ReadonlyMap<string, number>;
  private readonly mergeRanks = new Map<string, number>();
  // Prompts in one batch repeat the same words; BPE per word is the hot part.
  private readonly wordCache = new Map<string, readonly string[]>();

  constructor(files: ClipTokenizerFiles) {
    this.vocab = new Map(Object.entries(files.vocab));
    files.merges.forEach((line, rank) => {
      const parts = line.split(" ");
      if (parts.length === 2 && !this.mergeRanks.has(line)) this.mergeRanks.set(line, rank);
    });
    const config = files.config ?? {};
    const maxLength = config["model_max_length"];
    // Non-CLIP configs use a huge sentinel for "unbounded"; CLIP's is 77.
    this.maxLength =
      typeof maxLength === "number" && maxLength >= 3 && maxLength <= 4096 ? maxLength : DEFAULT_MAX_LENGTH;
    this.startId = this.specialId(config["bos_token"], START_OF_TEXT);
    this.endId = this.specialId(config["eos_token"], END_OF_TEXT);
    this.padId = this.specialId(config["pad_token"], END_OF_TEXT);
    this.unknownId = this.specialId(config["unk_token"], END_OF_TEXT);
  }

  /** Reads vocab.json, merges.txt and (optional) tokenizer_config.json from a tokenizer folder. */
  static async load(tokenizerDir: string): Promise<ClipTokenizer> {
    const read = (file: string) => readFile(join(tokenizerDir, file), "utf8");
    let vocabText: string;
    let mergesText: string;
    try {
      [vocabText, mergesText] = await Promise.all([read("vocab.json"), read("merges.txt")]);
    } catch (error) {
      throw new ModelFormatError(
        `cannot read the CLIP tokenizer in ${tokenizerDir}: it needs vocab.json and merges.txt`,
        { cause: error },
      );
    }
    const config = await read("tokenizer_config.json").then(
      (text) => JSON.parse(text) as Record<string, unknown>,
      () => undefined,
    );
    const merges = mergesText.split("\n").filter((line) => line !== "" && !line.startsWith("#version"));
    return new ClipTokenizer({ vocab: JSON.parse(vocabText) as Record<string, number>, merges, config });
  }

  /** The BPE pieces of a prompt, without start/end markers. */
  tokenize(text: string): string[] {
    return preTokenize(cleanPromptText(text)).flatMap((word) => this.bpe(word));
  }

  /** Token ids of a prompt, without start/end markers. */
  encode(text: string): number[] {
    return this.tokenize(text).map((piece) => this.vocab.get(piece) ?? this.unknownId);
  }

  /** The id of one vocabulary piece ("," + end of word is ",</w>"), or undefined. */
  tokenId(piece: string): number | undefined {
    return this.vocab.get(piece);
  }

  /** How many window positions the prompt uses, not counting start/end markers. */
  countTokens(text: string): number {
    return this.tokenize(text).length;
  }

  /**
   * The text encoder's input: start marker, prompt ids, end marker, padding to
   * `maxLength`. A prompt that does not fit throws PromptTooLongError; silent
   * truncation would render a different picture than the one asked for.
   */
  encodeForModel(text: string): number[] {
    const ids = this.encode(text);
    if (ids.length > this.maxLength - 2) throw new PromptTooLongError(ids.length, this.maxLength);
    const padded = [this.startId, ...ids, this.endId];
    while (padded.length < this.maxLength) padded.push(this.padId);
    return padded;
  }

  private specialId(configured: unknown, fallback: string): number {
    const content =
      typeof configured === "string"
        ? configured
        : typeof configured === "object" && configured !== null && "content" in configured
          ? String((configured as { content: unknown }).content)
          : fallback;
    const id = this.vocab.get(content) ?? this.vocab.get(fallback);
    if (id === undefined) throw new ModelFormatError(`tokenizer vocab has no "${content}" token`);
    return id;
  }

  private bpe(word: string): readonly string[] {
    if (word === START_OF_TEXT || word === END_OF_TEXT) return [word];
    const cached = this.wordCache.get(word);
    if (cached) return cached;
    const symbols = toByteCharacters(word);
    symbols[symbols.length - 1] += END_OF_WORD;
    for (;;) {
      let bestRank = Infinity;
      let best = "";
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.mergeRanks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = `${symbols[i]} ${symbols[i + 1]}`;
        }
      }
      if (bestRank === Infinity) break;
      // Merge every occurrence of the best pair, left to right, as CLIP does.
      const [left, right] = best.split(" ") as [string, string];
      for (let i = 0; i + 1 < symbols.length; i++) {
        if (symbols[i] === left && symbols[i + 1] === right) symbols.splice(i, 2, left + right);
      }
    }
    if (this.wordCache.size >= WORD_CACHE_LIMIT) this.wordCache.clear();
    this.wordCache.set(word, symbols);
    return symbols;
  }
}
