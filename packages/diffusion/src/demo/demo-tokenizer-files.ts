import { BASE_CHARACTERS } from "../tokenizer/byte-unicode.ts";
import { END_OF_TEXT, START_OF_TEXT } from "../tokenizer/clip-text.ts";
import { ClipTokenizer } from "../tokenizer/clip-tokenizer.ts";

// A small but real CLIP BPE vocabulary: the 256 byte characters and their
// "</w>" forms at the same ids as in CLIP's, merges that build each demo
// word into a single token, then the two special tokens. Any other text
// still tokenizes (to byte-level pieces), exactly as with a full vocab.

export interface DemoTokenizerFiles {
  /** piece -> id, in id order */
  vocab: Record<string, number>;
  /** merge lines in rank order */
  merges: string[];
}

export function buildDemoTokenizerFiles(words: readonly string[]): DemoTokenizerFiles {
  const pieces = [...BASE_CHARACTERS, ...BASE_CHARACTERS.map((ch) => `${ch}</w>`)];
  const known = new Set(pieces);
  const merges: string[] = [];
  const specials = { [START_OF_TEXT]: 0, [END_OF_TEXT]: 1 };
  for (const word of words) {
    // Merge the first two pieces of the word's current BPE split until it is
    // one token. New merges rank last, so they never change how words that
    // were finished earlier are split.
    for (;;) {
      const split = new ClipTokenizer({ vocab: specials, merges }).tokenize(word);
      if (split.length === 1) break;
      const [left, right] = split as [string, string];
      merges.push(`${left} ${right}`);
      if (!known.has(left + right)) {
        known.add(left + right);
        pieces.push(left + right);
      }
    }
  }
  pieces.push(START_OF_TEXT, END_OF_TEXT);
  return { vocab: Object.fromEntries(pieces.map((piece, id) => [piece, id])), merges };
}
