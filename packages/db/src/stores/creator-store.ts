import { randomUUID } from "node:crypto";
import type { Database } from "../open-database.ts";

/** A creator's name, payee, keywords and terms as one version holds them. */
export interface CreatorTerms {
  displayName: string;
  payee: string;
  /** Keywords, phrases and aliases, matched case-insensitively as whole words. */
  keywords: string[];
  /** Overrides of the statement's price per image and platform share (decimal strings); null uses the statement's. */
  pricePerImage: string | null;
  platformShare: string | null;
}

export interface CreatorRow extends CreatorTerms {
  id: string;
  tenantId: string;
  /** The version shown: valid from this instant. */
  validFrom: Date;
  /** How many versions the creator has had. */
  versions: number;
}

/** A creator's current keywords, for matching prompts. */
export interface CreatorKeywords {
  creatorId: string;
  keywords: string[];
}

export interface StatementLine {
  creatorId: string;
  displayName: string;
  payee: string;
  images: number;
  /** Decimal strings, exact: computed in SQL numeric. */
  meanContribution: string;
  gross: string;
  platform: string;
  payable: string;
}

export interface StatementItem {
  outputId: string;
  itemId: string;
  batchId: string;
  createdAt: Date;
  prompt: string;
  keywords: string[];
  contribution: string;
  price: string;
  share: string;
  payable: string;
}

export interface StatementPeriod {
  tenantId: string;
  from: Date;
  /** Exclusive. */
  to: Date;
  /** Used where a creator's terms set none; null: the terms must set it. */
  pricePerImage: string | null;
  platformShare: string | null;
}

/** A statement needs a price or a share that neither the caller nor the creator's terms give. */
export class MissingTermsError extends Error {
  override name = "MissingTermsError";
  constructor(readonly creators: { id: string; displayName: string; missing: ("price per image" | "platform share")[] }[]) {
    super(creators.map((c) => `creator ${c.displayName} (${c.id}) has no ${c.missing.join(" and no ")} in its terms`).join("; "));
  }
}

// Each image's contribution per creator (its keywords' shares summed), priced
// by the one version of the creator's terms valid when the output was made.
// Quarantined images (flagged, or deleted by a moderator) and attempts a
// quality gate rejected were never delivered and are not billed. Everything stays numeric: the sums are exact decimals.
const PRICED_IMAGES = `
  WITH per_image AS (
    SELECT oc.creator_id, o.id AS output_id, o.item_id, o.batch_id, o.created_at,
           sum(oc.contribution::numeric) AS contribution, array_agg(oc.keyword ORDER BY oc.keyword) AS keywords
    FROM output_contribution oc
    JOIN creator c ON c.id = oc.creator_id
    JOIN output o ON o.id = oc.output_id
    WHERE c.tenant_id = $1 AND o.created_at >= $2 AND o.created_at < $3 AND NOT o.quarantined AND o.accepted
      AND ($6::text IS NULL OR oc.creator_id = $6)
    GROUP BY oc.creator_id, o.id
  )
  SELECT p.*, v.display_name, v.payee,
         coalesce(v.price_per_image, $4::numeric) AS price, coalesce(v.platform_share, $5::numeric) AS share
  FROM per_image p
  JOIN LATERAL (
    SELECT display_name, payee, price_per_image, platform_share FROM creator_version v
    WHERE v.creator_id = p.creator_id AND v.valid_from <= p.created_at AND (v.valid_to IS NULL OR v.valid_to > p.created_at)
    ORDER BY v.valid_from DESC LIMIT 1
  ) v ON true`;

const periodParams = (period: StatementPeriod, creatorId: string | null) => [period.tenantId, period.from, period.to, period.pricePerImage, period.platformShare, creatorId];

/**
 * Creators and their versioned terms, and royalty statements. Changes are
 * rare admin acts through Prisma; a change closes the current version and
 * opens the next at the same instant, so every moment has at most one.
 */
export const creatorStore = {
  async add(db: Database, input: { tenantId: string; effectiveAt?: Date } & CreatorTerms): Promise<string> {
    const id = randomUUID();
    const validFrom = input.effectiveAt ?? new Date();
    await db.prisma.$transaction([
      db.prisma.tenant.upsert({ where: { id: input.tenantId }, create: { id: input.tenantId }, update: {} }),
      db.prisma.creator.create({ data: { id, tenantId: input.tenantId, createdAt: validFrom } }),
      db.prisma.creatorVersion.create({ data: { creatorId: id, validFrom, ...versionData(input) } }),
    ]);
    return id;
  },

  /**
   * A new version with `changes` over the current one, valid from
   * `effectiveAt` (default now), which may not be before the current version
   * began: statements already drawn stay as they were. Null when the tenant
   * has no such live creator.
   */
  async update(db: Database, tenantId: string, id: string, changes: Partial<CreatorTerms> & { effectiveAt?: Date }): Promise<CreatorRow | null> {
    const at = changes.effectiveAt ?? new Date();
    const done = await db.prisma.$transaction(async (tx) => {
      const current = await tx.creatorVersion.findFirst({ where: { creatorId: id, validTo: null, creator: { tenantId, removedAt: null } }, orderBy: { validFrom: "desc" } });
      if (!current) return false;
      if (at < current.validFrom) throw new RangeError(`the change would take effect at ${at.toISOString()}, before the current terms began (${current.validFrom.toISOString()})`);
      const merged: CreatorTerms = {
        displayName: changes.displayName ?? current.displayName,
        payee: changes.payee ?? current.payee,
        keywords: changes.keywords ?? current.keywords,
        pricePerImage: changes.pricePerImage !== undefined ? changes.pricePerImage : (current.pricePerImage?.toString() ?? null),
        platformShare: changes.platformShare !== undefined ? changes.platformShare : (current.platformShare?.toString() ?? null),
      };
      await tx.creatorVersion.update({ where: { id: current.id }, data: { validTo: at } });
      await tx.creatorVersion.create({ data: { creatorId: id, validFrom: at, ...versionData(merged) } });
      return true;
    });
    if (!done) return null;
    return (await creatorStore.list(db, tenantId, { at })).find((c) => c.id === id) ?? null;
  },

  /** Ends the creator's current terms: its keywords are measured no more; past statements keep it. */
  async remove(db: Database, tenantId: string, id: string, at = new Date()): Promise<boolean> {
    return db.prisma.$transaction(async (tx) => {
      const { count } = await tx.creator.updateMany({ where: { id, tenantId, removedAt: null }, data: { removedAt: at } });
      if (count === 0) return false;
      await tx.creatorVersion.updateMany({ where: { creatorId: id, validTo: null }, data: { validTo: at } });
      return true;
    });
  },

  /** The tenant's creators as their terms stand at `at` (default now). */
  async list(db: Database, tenantId: string, options: { at?: Date } = {}): Promise<CreatorRow[]> {
    const at = options.at ?? new Date();
    const creators = await db.prisma.creator.findMany({
      where: { tenantId },
      orderBy: { createdAt: "asc" },
      include: { versions: { orderBy: { validFrom: "desc" } } },
    });
    return creators.flatMap((creator) => {
      const version = creator.versions.find((v) => v.validFrom <= at && (v.validTo === null || v.validTo > at));
      if (!version) return [];
      return [{
        id: creator.id,
        tenantId: creator.tenantId,
        displayName: version.displayName,
        payee: version.payee,
        keywords: version.keywords,
        pricePerImage: version.pricePerImage?.toString() ?? null,
        platformShare: version.platformShare?.toString() ?? null,
        validFrom: version.validFrom,
        versions: creator.versions.length,
      }];
    });
  },

  /** Every tenant's live keywords, for matching prompts when work is leased. */
  async currentKeywords(db: Database, tenantIds: readonly string[]): Promise<Map<string, CreatorKeywords[]>> {
    const rows = await db.query<{ tenantId: string; creatorId: string; keywords: string[] }>(
      `SELECT c.tenant_id AS "tenantId", c.id AS "creatorId", v.keywords
       FROM creator c JOIN creator_version v ON v.creator_id = c.id
       WHERE c.tenant_id = ANY($1::text[]) AND c.removed_at IS NULL AND v.valid_from <= now() AND (v.valid_to IS NULL OR v.valid_to > now())
       ORDER BY c.created_at, c.id`,
      [tenantIds],
    );
    const byTenant = new Map<string, CreatorKeywords[]>();
    for (const row of rows) byTenant.set(row.tenantId, [...(byTenant.get(row.tenantId) ?? []), { creatorId: row.creatorId, keywords: row.keywords }]);
    return byTenant;
  },

  /**
   * Per creator: images, mean contribution, gross (Σ contribution × price),
   * the platform's share of it and payable (Σ contribution × price × (1 −
   * share)), each image priced by the terms valid when it was made. Rounded
   * to cents only here, after summing. Throws MissingTermsError when a price
   * or share is set neither in the period nor in the terms.
   */
  async statement(db: Database, period: StatementPeriod): Promise<StatementLine[]> {
    const rows = await db.query<StatementLine & { missingPrice: boolean; missingShare: boolean }>(
      `WITH priced AS (${PRICED_IMAGES})
       SELECT creator_id AS "creatorId",
              (array_agg(display_name ORDER BY created_at DESC))[1] AS "displayName",
              (array_agg(payee ORDER BY created_at DESC))[1] AS payee,
              count(*)::int AS images,
              round(avg(contribution), 4)::text AS "meanContribution",
              round(sum(contribution * price), 2)::text AS gross,
              round(sum(contribution * price * share), 2)::text AS platform,
              round(sum(contribution * price * (1 - share)), 2)::text AS payable,
              bool_or(price IS NULL) AS "missingPrice", bool_or(share IS NULL) AS "missingShare"
       FROM priced GROUP BY creator_id ORDER BY "displayName", creator_id`,
      periodParams(period, null),
    );
    const missing = rows.filter((r) => r.missingPrice || r.missingShare);
    if (missing.length > 0) {
      throw new MissingTermsError(missing.map((r) => ({
        id: r.creatorId,
        displayName: r.displayName,
        missing: [...(r.missingPrice ? ["price per image" as const] : []), ...(r.missingShare ? ["platform share" as const] : [])],
      })));
    }
    return rows.map(({ missingPrice: _p, missingShare: _s, ...line }) => line);
  },

  /** Every image behind one creator's line of the statement, oldest first. */
  async statementItems(db: Database, period: StatementPeriod, creatorId: string): Promise<StatementItem[]> {
    return db.query<StatementItem>(
      `WITH priced AS (${PRICED_IMAGES})
       SELECT p.output_id::text AS "outputId", p.item_id::text AS "itemId", p.batch_id AS "batchId", p.created_at AS "createdAt",
              i.prompt, p.keywords, p.contribution::text AS contribution, p.price::text AS price, p.share::text AS share,
              round(p.contribution * p.price * (1 - p.share), 6)::text AS payable
       FROM priced p JOIN item i ON i.id = p.item_id
       ORDER BY p.created_at, p.output_id`,
      periodParams(period, creatorId),
    );
  },
};

function versionData(terms: CreatorTerms) {
  return {
    displayName: terms.displayName,
    payee: terms.payee,
    keywords: terms.keywords,
    pricePerImage: terms.pricePerImage,
    platformShare: terms.platformShare,
  };
}
