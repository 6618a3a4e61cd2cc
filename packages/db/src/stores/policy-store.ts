import type { Database } from "../open-database.ts";

/** The farm-wide default policy's tenant id: it applies to every tenant without a policy of its own. */
export const FARM_POLICY = "";

export interface ContentPolicyRules {
  /** Words and phrases, matched case-insensitively as whole words. */
  blockedTerms: string[];
  /** Regular expressions, matched case-insensitively. */
  blockedPatterns: string[];
  /** Real people's names. */
  namedPersons: string[];
}

export interface ContentPolicyVersion extends ContentPolicyRules {
  id: string;
  /** FARM_POLICY for the farm-wide default. */
  tenantId: string;
  changedBy: string;
  validFrom: Date;
  validTo: Date | null;
}

export interface QuarantinedOutput {
  outputId: string;
  itemId: string;
  batchId: string;
  tenantId: string;
  key: string;
  prompt: string;
  safetyVerdict: string;
  createdAt: Date;
}

const toVersion = (row: { id: bigint; tenantId: string; blockedTerms: string[]; blockedPatterns: string[]; namedPersons: string[]; changedBy: string; validFrom: Date; validTo: Date | null }): ContentPolicyVersion => ({
  id: String(row.id),
  tenantId: row.tenantId,
  blockedTerms: row.blockedTerms,
  blockedPatterns: row.blockedPatterns,
  namedPersons: row.namedPersons,
  changedBy: row.changedBy,
  validFrom: row.validFrom,
  validTo: row.validTo,
});

/**
 * Content policies, versioned like creators' terms: a change closes the
 * current version and opens the next at the same instant. And the
 * quarantine of flagged outputs, which admins release or delete.
 */
export const policyStore = {
  async set(db: Database, tenantId: string, rules: ContentPolicyRules, changedBy: string): Promise<ContentPolicyVersion> {
    const at = new Date();
    const created = await db.prisma.$transaction(async (tx) => {
      await tx.contentPolicyVersion.updateMany({ where: { tenantId, validTo: null }, data: { validTo: at } });
      return tx.contentPolicyVersion.create({ data: { tenantId, ...rules, changedBy, validFrom: at } });
    });
    return toVersion(created);
  },

  /** The policy that applies to the tenant now: its own, else the farm-wide default; null when neither exists. */
  async effective(db: Database, tenantId: string): Promise<ContentPolicyVersion | null> {
    const rows = await db.query<{ id: bigint; tenantId: string; blockedTerms: string[]; blockedPatterns: string[]; namedPersons: string[]; changedBy: string; validFrom: Date; validTo: Date | null }>(
      `SELECT id, tenant_id AS "tenantId", blocked_terms AS "blockedTerms", blocked_patterns AS "blockedPatterns", named_persons AS "namedPersons",
              changed_by AS "changedBy", valid_from AS "validFrom", valid_to AS "validTo"
       FROM content_policy_version
       WHERE tenant_id IN ($1, '') AND valid_from <= now() AND (valid_to IS NULL OR valid_to > now())
       ORDER BY (tenant_id = $1) DESC LIMIT 1`,
      [tenantId],
    );
    return rows[0] ? toVersion(rows[0]) : null;
  },

  /** Every version of a tenant's (or the farm's) policy, newest first. */
  async history(db: Database, tenantId: string): Promise<ContentPolicyVersion[]> {
    return (await db.prisma.contentPolicyVersion.findMany({ where: { tenantId }, orderBy: { id: "desc" } })).map(toVersion);
  },

  /** Quarantined outputs awaiting an admin's decision, oldest first; `afterOutputId` pages on. */
  async queue(db: Database, page: { limit: number; afterOutputId?: string }): Promise<QuarantinedOutput[]> {
    return db.query<QuarantinedOutput>(
      `SELECT o.id::text AS "outputId", o.item_id::text AS "itemId", o.batch_id AS "batchId", b.tenant_id AS "tenantId", o.key,
              i.prompt, o.safety_verdict AS "safetyVerdict", o.created_at AS "createdAt"
       FROM output o JOIN item i ON i.id = o.item_id JOIN batch b ON b.id = o.batch_id
       WHERE o.quarantined AND o.moderation = '' AND o.id > $1::bigint
       ORDER BY o.id LIMIT $2`,
      [page.afterOutputId ?? "0", page.limit],
    );
  },

  /** One quarantined output awaiting a decision, or null. */
  async pending(db: Database, outputId: string): Promise<QuarantinedOutput | null> {
    return (await policyStore.queue(db, { limit: 1, afterOutputId: String(BigInt(outputId) - 1n) })).find((o) => o.outputId === outputId) ?? null;
  },

  /**
   * An admin's decision on a quarantined output still pending: `released`
   * lifts the quarantine; `deleted` keeps it for good (the caller removes the
   * object). False when no such output awaits a decision.
   */
  async decide(db: Database, outputId: string, decision: "released" | "deleted"): Promise<boolean> {
    const rows = await db.query(
      `UPDATE output SET moderation = $2, quarantined = ($2 = 'deleted') WHERE id = $1::bigint AND quarantined AND moderation = '' RETURNING id`,
      [outputId, decision],
    );
    return rows.length > 0;
  },
};
