// AUTOMATIC1111's emphasis syntax (modules/prompt_parser.py,
// parse_prompt_attention), which prompts written for Stable Diffusion use:
//   (word)       weight x1.1        [word]      weight /1.1
//   (word:1.3)   weight x1.3        nesting multiplies: ((word)) = x1.21
//   \( \) \[ \]  literal brackets   unclosed brackets apply to the end
//   BREAK        (the word, in capitals) ends the current 75-token chunk
// Returns the prompt as runs of text with their weights, neighbouring runs
// of equal weight merged. A BREAK is a run of its own, `{ text: "BREAK",
// weight: 1, break: true }`, with the spaces around it dropped as A1111's
// re_break does. A1111 marks BREAK with weight -1 and lets brackets
// multiply that (a BREAK inside brackets then becomes the literal word with
// a negative weight); here a BREAK breaks wherever it stands.

export interface WeightedText {
  text: string;
  weight: number;
  /** a BREAK: the text so far fills out its chunk, the rest starts a new one */
  break?: true;
}

const BREAK_WORD = /\s*\bBREAK\b\s*/;

const ROUND_MULTIPLIER = 1.1;
const SQUARE_MULTIPLIER = 1 / 1.1;
// A1111's re_attention, alternative by alternative.
const ATTENTION = /\\\(|\\\)|\\\[|\\]|\\\\|\\|\(|\[|:\s*([+-]?[.\d]+)\s*\)|\)|]|[^\\()[\]:]+|:/g;

export function parsePromptAttention(prompt: string): WeightedText[] {
  const runs: WeightedText[] = [];
  const round: number[] = [];
  const square: number[] = [];
  const multiplyFrom = (start: number, multiplier: number) => {
    for (let i = start; i < runs.length; i++) if (!runs[i]!.break) runs[i]!.weight *= multiplier;
  };
  const pushText = (text: string) =>
    text.split(BREAK_WORD).forEach((part, i) => {
      if (i > 0) runs.push({ text: "BREAK", weight: 1, break: true });
      runs.push({ text: part, weight: 1 });
    });
  for (const match of prompt.matchAll(ATTENTION)) {
    const text = match[0];
    const weight = match[1] === undefined ? undefined : Number(match[1]);
    if (text.startsWith("\\")) runs.push({ text: text.slice(1), weight: 1 });
    else if (text === "(") round.push(runs.length);
    else if (text === "[") square.push(runs.length);
    else if (weight !== undefined && Number.isFinite(weight) && round.length > 0) multiplyFrom(round.pop()!, weight);
    else if (text === ")" && round.length > 0) multiplyFrom(round.pop()!, ROUND_MULTIPLIER);
    else if (text === "]" && square.length > 0) multiplyFrom(square.pop()!, SQUARE_MULTIPLIER);
    else pushText(text);
  }
  for (const start of round) multiplyFrom(start, ROUND_MULTIPLIER);
  for (const start of square) multiplyFrom(start, SQUARE_MULTIPLIER);
  if (runs.length === 0) return [{ text: "", weight: 1 }];
  const merged: WeightedText[] = [runs[0]!];
  for (const run of runs.slice(1)) {
    const last = merged[merged.length - 1]!;
    if (last.weight === run.weight && !last.break && !run.break) last.text += run.text;
    else merged.push(run);
  }
  // Empty text runs left around a BREAK tokenize to nothing; dropping them keeps the output readable.
  const kept = merged.filter((run) => run.break || run.text !== "");
  return kept.length > 0 ? kept : [{ text: "", weight: 1 }];
}
