import { creatorStore, type Database } from "@atelier/db";
import { normalisePhrase, PhraseMatcher } from "./phrase-match.ts";

/** How long a tenant's keywords are kept: a creator added or changed is measured from at most this much later. */
const KEYWORDS_TTL_MS = 10_000;

export interface MatchedKeyword {
  creatorId: string;
  keyword: string;
}

interface TenantKeywords {
  matcher: PhraseMatcher;
  /** phrase (normalised) -> the creators who registered it */
  creators: Map<string, string[]>;
  loadedAtMs: number;
}

/**
 * Registered creators' keywords found in prompts, for the agent to measure:
 * matched when work is leased, so the agent needs no database. Each
 * tenant's live keywords are read at most every KEYWORDS_TTL_MS.
 */
export class CreatorKeywords {
  private readonly tenants = new Map<string, Promise<TenantKeywords>>();

  constructor(private readonly db: Database, private readonly nowMs: () => number = Date.now) {}

  /** Each registered keyword the prompt contains once, with the creator it pays; empty when none. */
  async match(tenantId: string, prompt: string): Promise<MatchedKeyword[]> {
    return (await this.matcherFor(tenantId))(prompt);
  }

  /** The tenant's keywords, read once, as a matcher of prompts: a lease matches all its items' prompts with it. */
  async matcherFor(tenantId: string): Promise<(prompt: string) => MatchedKeyword[]> {
    const keywords = await this.forTenant(tenantId);
    return (prompt) => {
      if (keywords.creators.size === 0) return [];
      const found = new Set(keywords.matcher.all(prompt).map((m) => normalisePhrase(m.phrase)));
      return [...found].flatMap((keyword) => (keywords.creators.get(keyword) ?? []).map((creatorId) => ({ creatorId, keyword })));
    };
  }

  private forTenant(tenantId: string): Promise<TenantKeywords> {
    const cached = this.tenants.get(tenantId);
    if (cached) {
      // A failed or stale read is replaced by one new read, however many callers found it so.
      const fresh = cached.then((k) => this.nowMs() - k.loadedAtMs < KEYWORDS_TTL_MS, () => false);
      return fresh.then((ok) => {
        if (ok) return cached;
        const current = this.tenants.get(tenantId);
        return current && current !== cached ? current : this.load(tenantId);
      });
    }
    return this.load(tenantId);
  }

  private load(tenantId: string): Promise<TenantKeywords> {
    const loading = creatorStore.currentKeywords(this.db, [tenantId]).then((byTenant) => {
      const creators = new Map<string, string[]>();
      for (const creator of byTenant.get(tenantId) ?? []) {
        for (const keyword of creator.keywords) creators.set(normalisePhrase(keyword), [...(creators.get(normalisePhrase(keyword)) ?? []), creator.creatorId]);
      }
      return { matcher: new PhraseMatcher([...creators.keys()]), creators, loadedAtMs: this.nowMs() };
    });
    this.tenants.set(tenantId, loading);
    return loading;
  }
}
