// Text normalisation and pre-tokenisation of the CLIP tokenizer
// (openai/CLIP simple_tokenizer.py, HF CLIPTokenizer). We do not run ftfy's
// mojibake repair or HTML unescaping; prompts typed by people and templates
// expanded by the coordinator do not need them, and both would change ids
// only for text that is already broken.

export const START_OF_TEXT = "<|startoftext|>";
export const END_OF_TEXT = "<|endoftext|>";

/** NFC, control characters dropped, whitespace runs collapsed, trimmed, lower-cased. */
export function cleanPromptText(text: string): string {
  return text
    .normalize("NFC")
    .replace(/[\p{Cc}\uFFFD]/gu, (ch) => (/\s/u.test(ch) ? " " : ""))
    .replace(/\s+/gu, " ")
    .trim()
    .toLowerCase();
}

// The CLIP pattern: special tokens, English contractions, letter runs, single
// digits, and runs of anything else that is not whitespace.
const CLIP_PATTERN =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/gu;

/** Splits cleaned text into the words that BPE then encodes one at a time. */
export function preTokenize(cleanText: string): string[] {
  return cleanText.match(CLIP_PATTERN) ?? [];
}
