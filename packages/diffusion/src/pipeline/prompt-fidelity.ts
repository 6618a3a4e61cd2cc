// The seed essay's fidelity test: does an image match its own prompt better
// than the same words with the roles swapped ("an astronaut riding a horse"
// against "a horse riding an astronaut")? Counter-prompts are given, or made
// here from prompts of the form "A verb-ing B[, rest]".

// Words ending in -ing that are nouns, not the verb between two roles.
const NOT_VERBS = new Set([
  "ring", "king", "thing", "wing", "string", "spring", "ceiling", "building", "painting", "drawing", "morning", "evening",
  "clothing", "wedding", "pudding", "darling", "sibling", "earring", "ping", "sling", "swing", "lighting", "setting", "nothing", "something", "everything",
]);
const ARTICLE = /^(a|an|the|one|two|three|some|his|her|their|my|its)\s/i;

/**
 * "A verb-ing B, rest" -> "B verb-ing A, rest" when A and B both read as noun
 * phrases (B opens with an article or determiner); undefined for any other
 * prompt.
 */
export function rolesSwapped(prompt: string): string | undefined {
  const comma = prompt.indexOf(",");
  const head = comma < 0 ? prompt : prompt.slice(0, comma);
  const rest = comma < 0 ? "" : prompt.slice(comma);
  const words = head.trim().split(/\s+/);
  for (let i = 1; i < words.length - 1; i++) {
    const word = words[i]!.toLowerCase();
    if (word.length < 5 || !word.endsWith("ing") || NOT_VERBS.has(word)) continue;
    const subject = words.slice(0, i).join(" ");
    const object = words.slice(i + 1).join(" ");
    if (!ARTICLE.test(`${object} `) || !ARTICLE.test(`${subject} `)) continue;
    return `${object} ${words[i]} ${subject}${rest}`;
  }
  return undefined;
}

export interface FidelityResult {
  /** the image's similarity to its own prompt */
  own: number;
  counters: { prompt: string; score: number }[];
  /** the own prompt scores strictly higher than every counter-prompt */
  matchesOwn: boolean;
}

export function fidelityOf(own: number, counters: readonly { prompt: string; score: number }[]): FidelityResult {
  return { own, counters: [...counters], matchesOwn: counters.every((counter) => own > counter.score) };
}
