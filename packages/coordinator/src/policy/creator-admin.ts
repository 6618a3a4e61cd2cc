import { auditStore, creatorStore, type CreatorRow, type CreatorTerms, type Database, type StatementItem, type StatementLine, type StatementPeriod } from "@atelier/db";
import { ValidationError } from "../errors.ts";
import { LIMITS } from "../limits.ts";

/** What may be registered, checked before anything is written. */
export const CREATOR_LIMITS = {
  nameChars: 200,
  payeeChars: 200,
  keywordChars: 100,
  keywordsPerCreator: 50,
  /** Prices and shares are decimals of at most 6 places: what the columns hold exactly. */
  decimal: /^\d{1,8}(\.\d{1,6})?$/,
};

export interface CreatorInput {
  displayName?: string;
  payee?: string;
  keywords?: string[];
  /** A decimal, or null to use the statement's. */
  pricePerImage?: string | null;
  platformShare?: string | null;
  effectiveAt?: Date;
}

/** Creators and royalty statements as an operator manages them: validated, and audited under `actor`. */
export function creatorAdmin(db: Database, actor: string) {
  const audit = (action: string, target: string, detail: Record<string, unknown>) => auditStore.record(db, { actor, action, target, detail });
  return {
    async add(tenantId: string, input: CreatorInput): Promise<CreatorRow> {
      const problems = [...tenantProblems(tenantId), ...termProblems(input, true)];
      if (problems.length > 0) throw new ValidationError(problems);
      const terms = { pricePerImage: null, platformShare: null, ...normalised(input) } as CreatorTerms;
      const id = await creatorStore.add(db, { tenantId, ...terms, ...(input.effectiveAt ? { effectiveAt: input.effectiveAt } : {}) });
      await audit("creator.add", id, { tenant: tenantId, ...terms });
      return (await creatorStore.list(db, tenantId, { at: input.effectiveAt ?? new Date() })).find((c) => c.id === id)!;
    },

    async update(tenantId: string, id: string, input: CreatorInput): Promise<CreatorRow> {
      const problems = [...tenantProblems(tenantId), ...termProblems(input, false)];
      if (Object.keys(normalised(input)).length === 0) problems.push("nothing to change: give --name, --payee, --keyword, --price-per-image or --platform-share");
      if (problems.length > 0) throw new ValidationError(problems);
      let updated: CreatorRow | null;
      try {
        updated = await creatorStore.update(db, tenantId, id, { ...normalised(input), ...(input.effectiveAt ? { effectiveAt: input.effectiveAt } : {}) });
      } catch (error) {
        if (error instanceof RangeError) throw new ValidationError([`--effective: ${error.message}`], { cause: error });
        throw error;
      }
      if (!updated) throw new ValidationError([`tenant ${tenantId} has no creator ${id} (removed, or never registered)`]);
      await audit("creator.update", id, { tenant: tenantId, ...normalised(input) });
      return updated;
    },

    async remove(tenantId: string, id: string): Promise<void> {
      if (!(await creatorStore.remove(db, tenantId, id))) throw new ValidationError([`tenant ${tenantId} has no creator ${id} (removed, or never registered)`]);
      await audit("creator.remove", id, { tenant: tenantId });
    },

    list(tenantId: string, at?: Date): Promise<CreatorRow[]> {
      return creatorStore.list(db, tenantId, at ? { at } : {});
    },

    statement(period: StatementPeriod): Promise<StatementLine[]> {
      checkPeriod(period);
      return creatorStore.statement(db, period);
    },

    statementItems(period: StatementPeriod, creatorId: string): Promise<StatementItem[]> {
      checkPeriod(period);
      return creatorStore.statementItems(db, period, creatorId);
    },
  };
}

export type CreatorAdmin = ReturnType<typeof creatorAdmin>;

function tenantProblems(tenantId: string): string[] {
  return LIMITS.tenantName.test(tenantId) ? [] : [`--tenant must be a tenant name (letters, digits, _ and -, at most 64; got ${JSON.stringify(tenantId)})`];
}

function checkPeriod(period: StatementPeriod): void {
  const problems = tenantProblems(period.tenantId);
  if (!(period.from < period.to)) problems.push(`--from (${period.from.toISOString()}) must be before --to (${period.to.toISOString()})`);
  problems.push(...decimalProblems("--price-per-image", period.pricePerImage), ...shareProblems(period.platformShare));
  if (problems.length > 0) throw new ValidationError(problems);
}

function decimalProblems(flag: string, value: string | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  return CREATOR_LIMITS.decimal.test(value) ? [] : [`${flag} must be a decimal number ≥ 0 with at most 8 digits before the point and 6 after (got ${JSON.stringify(value)})`];
}

function shareProblems(value: string | null | undefined): string[] {
  const problems = decimalProblems("--platform-share", value);
  if (problems.length === 0 && value !== null && value !== undefined && Number(value) > 1) problems.push(`--platform-share must be from 0 to 1 (got ${value})`);
  return problems;
}

function termProblems(input: CreatorInput, adding: boolean): string[] {
  const problems: string[] = [];
  const text = (flag: string, value: string | undefined, max: number) => {
    if (value === undefined) {
      if (adding) problems.push(`${flag} is required`);
    } else if (value.trim() === "" || value.length > max) problems.push(`${flag} must be 1 to ${max} characters (got ${value.length})`);
  };
  text("--name", input.displayName, CREATOR_LIMITS.nameChars);
  text("--payee", input.payee, CREATOR_LIMITS.payeeChars);
  if (input.keywords !== undefined || adding) {
    const keywords = input.keywords ?? [];
    if (keywords.length === 0) problems.push("--keyword is required: at least one keyword or phrase");
    if (keywords.length > CREATOR_LIMITS.keywordsPerCreator) problems.push(`at most ${CREATOR_LIMITS.keywordsPerCreator} keywords and aliases per creator (got ${keywords.length})`);
    for (const keyword of keywords) {
      // Whole words: a keyword must start and end with a letter or digit to have word boundaries.
      if (keyword.trim().length === 0 || keyword.length > CREATOR_LIMITS.keywordChars || !/^[\p{L}\p{N}].*[\p{L}\p{N}]$|^[\p{L}\p{N}]$/u.test(keyword.trim())) {
        problems.push(`--keyword ${JSON.stringify(keyword)} must be 1 to ${CREATOR_LIMITS.keywordChars} characters that start and end with a letter or digit`);
      }
    }
  }
  problems.push(...decimalProblems("--price-per-image", input.pricePerImage), ...shareProblems(input.platformShare));
  return problems;
}

/** The fields given, trimmed; keywords lower-cased and de-duplicated (matching ignores case). */
function normalised(input: CreatorInput): Partial<CreatorTerms> {
  const terms: Partial<CreatorTerms> = {};
  if (input.displayName !== undefined) terms.displayName = input.displayName.trim();
  if (input.payee !== undefined) terms.payee = input.payee.trim();
  if (input.keywords !== undefined) terms.keywords = [...new Set(input.keywords.map((k) => k.trim().toLowerCase().replace(/\s+/g, " ")))];
  if (input.pricePerImage !== undefined) terms.pricePerImage = input.pricePerImage;
  if (input.platformShare !== undefined) terms.platformShare = input.platformShare;
  return terms;
}
