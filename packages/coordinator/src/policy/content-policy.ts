import { FARM_POLICY, policyStore, type ContentPolicyRules, type ContentPolicyVersion, type Database } from "@atelier/db";
import { PhraseMatcher } from "./phrase-match.ts";

/** What a policy may hold, checked before a version is written. */
export const POLICY_LIMITS = {
  /** Terms and named people together. */
  maxPhrases: 20_000,
  phraseChars: 200,
  maxPatterns: 200,
  patternChars: 200,
};

/** Every problem of a policy about to be set, each naming the entry and the limit. */
export function policyProblems(rules: ContentPolicyRules): string[] {
  const problems: string[] = [];
  const phrases = [...rules.blockedTerms, ...rules.namedPersons];
  if (phrases.length > POLICY_LIMITS.maxPhrases) problems.push(`at most ${POLICY_LIMITS.maxPhrases} blocked terms and named people together (got ${phrases.length})`);
  for (const phrase of phrases) {
    if (phrase.trim() === "" || phrase.length > POLICY_LIMITS.phraseChars) problems.push(`term ${JSON.stringify(phrase.slice(0, 40))} must be 1 to ${POLICY_LIMITS.phraseChars} characters`);
  }
  if (rules.blockedPatterns.length > POLICY_LIMITS.maxPatterns) problems.push(`at most ${POLICY_LIMITS.maxPatterns} patterns (got ${rules.blockedPatterns.length})`);
  for (const pattern of rules.blockedPatterns) {
    if (pattern.length === 0 || pattern.length > POLICY_LIMITS.patternChars) problems.push(`pattern ${JSON.stringify(pattern.slice(0, 40))} must be 1 to ${POLICY_LIMITS.patternChars} characters`);
    else {
      try {
        new RegExp(pattern, "iu");
      } catch (error) {
        problems.push(`pattern ${JSON.stringify(pattern)} is not a regular expression: ${(error as Error).message}`);
      }
    }
  }
  return problems.slice(0, 20);
}

/**
 * A tenant's content policy, compiled for checking prompts at submit: its
 * own, else the farm-wide default, else none (everything passes).
 */
export class PromptPolicy {
  private readonly terms: PhraseMatcher;
  private readonly persons: PhraseMatcher;
  private readonly patterns: RegExp[];
  private readonly name: string;

  constructor(version: ContentPolicyVersion | null) {
    this.terms = new PhraseMatcher(version?.blockedTerms ?? []);
    this.persons = new PhraseMatcher(version?.namedPersons ?? []);
    this.patterns = (version?.blockedPatterns ?? []).map((p) => new RegExp(p, "iu"));
    this.name = !version ? "" : version.tenantId === FARM_POLICY ? `the farm's content policy (version ${version.id})` : `tenant ${version.tenantId}'s content policy (version ${version.id})`;
  }

  /** Why the prompt is refused, beginning with `at` (file:line); undefined when it passes. */
  violation(prompt: string, at: string): string | undefined {
    const person = this.persons.first(prompt);
    if (person) return `${at}: the prompt names ${JSON.stringify(person.matched)}, a real person on the named-person list of ${this.name}`;
    const term = this.terms.first(prompt);
    if (term) return `${at}: the prompt contains ${JSON.stringify(term.matched)}, a term ${this.name} blocks`;
    for (const pattern of this.patterns) {
      const match = pattern.exec(prompt);
      if (match) return `${at}: the prompt contains ${JSON.stringify(match[0])}, which matches the pattern /${pattern.source}/ that ${this.name} blocks`;
    }
    return undefined;
  }
}

export async function promptPolicyFor(db: Database, tenantId: string): Promise<PromptPolicy> {
  return new PromptPolicy(await policyStore.effective(db, tenantId));
}
