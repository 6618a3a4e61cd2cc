// Whole-word, case-insensitive phrase matching, shared by the content
// policy (blocked terms, named people) and creators' keywords. "Whole word"
// means no letter or digit right before or after: "red" matches "a red
// circle" and "red, blue" but not "reddish"; spaces inside a phrase match any
// run of white space.

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** How a phrase is compared once found: lower case, single spaces. */
export const normalisePhrase = (text: string) => text.trim().toLowerCase().replace(/\s+/gu, " ");

/** Finds any of `phrases` in a text; each match names the listed phrase it is. */
export class PhraseMatcher {
  private readonly regex: RegExp | undefined;
  private readonly byNormalised = new Map<string, string>();

  constructor(phrases: readonly string[]) {
    for (const phrase of phrases) if (normalisePhrase(phrase)) this.byNormalised.set(normalisePhrase(phrase), phrase);
    // Longest first: "ada painter" wins over "ada" where both are listed.
    const alternatives = [...this.byNormalised.keys()].sort((a, b) => b.length - a.length).map((p) => p.split(" ").map(escapeRegExp).join("\\s+"));
    this.regex = alternatives.length > 0 ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join("|")})(?![\\p{L}\\p{N}])`, "giu") : undefined;
  }

  /** The first listed phrase the text contains, with the text as written there; undefined if none. */
  first(text: string): { phrase: string; matched: string } | undefined {
    return this.all(text)[0];
  }

  /** Every occurrence, in order of position. */
  all(text: string): { phrase: string; matched: string; index: number }[] {
    if (!this.regex) return [];
    return [...text.matchAll(this.regex)].map((m) => ({ phrase: this.byNormalised.get(normalisePhrase(m[0]))!, matched: m[0], index: m.index }));
  }
}
