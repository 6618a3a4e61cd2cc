import { auditStore, FARM_POLICY, policyStore, type ContentPolicyRules, type ContentPolicyVersion, type Database, type QuarantinedOutput } from "@atelier/db";
import { NotFoundError, ValidationError } from "../errors.ts";
import { LIMITS } from "../limits.ts";
import type { ObjectStore } from "../storage/index.ts";
import { policyProblems } from "./content-policy.ts";

/**
 * Content policies and the moderation of quarantined images, as an admin
 * acts on them: validated, and every act in the audit log under `actor`.
 * Deleting an image needs the object store; without one only release is offered.
 */
export function policyAdmin(db: Database, actor: string, store?: ObjectStore) {
  const audit = (action: string, target: string, detail: Record<string, unknown>) => auditStore.record(db, { actor, action, target, detail });
  const scopeProblems = (tenantId: string) =>
    tenantId === FARM_POLICY || LIMITS.tenantName.test(tenantId) ? [] : [`--tenant must be a tenant name (letters, digits, _ and -, at most 64; got ${JSON.stringify(tenantId)})`];
  const pendingOutput = async (outputId: string): Promise<QuarantinedOutput> => {
    if (!LIMITS.rowId.test(outputId)) throw new ValidationError([`the output id must be digits (got ${JSON.stringify(outputId.slice(0, 40))})`]);
    const pending = await policyStore.pending(db, outputId);
    if (!pending) throw new NotFoundError(`no quarantined output ${outputId} awaits a decision`);
    return pending;
  };
  return {
    /** A new version of the tenant's policy (FARM_POLICY: the farm-wide default), replacing the current one whole. */
    async set(tenantId: string, rules: ContentPolicyRules): Promise<ContentPolicyVersion> {
      const problems = [...scopeProblems(tenantId), ...policyProblems(rules)];
      if (problems.length > 0) throw new ValidationError(problems);
      const version = await policyStore.set(db, tenantId, rules, actor);
      await audit("policy.set", tenantId || "farm", {
        version: version.id, blockedTerms: rules.blockedTerms.length, blockedPatterns: rules.blockedPatterns.length, namedPersons: rules.namedPersons.length,
      });
      return version;
    },

    /** The policy that applies to the tenant now (its own or the farm's), and the history of the scope asked for. */
    async show(tenantId: string): Promise<{ effective: ContentPolicyVersion | null; history: ContentPolicyVersion[] }> {
      const problems = scopeProblems(tenantId);
      if (problems.length > 0) throw new ValidationError(problems);
      return { effective: await policyStore.effective(db, tenantId), history: await policyStore.history(db, tenantId) };
    },

    queue(page: { limit: number; afterOutputId?: string }): Promise<QuarantinedOutput[]> {
      return policyStore.queue(db, page);
    },

    /** One quarantined output awaiting a decision; NotFoundError otherwise. */
    pending: pendingOutput,

    /** Lifts a flagged image's quarantine: it is served and exported as any other. */
    async release(outputId: string): Promise<QuarantinedOutput> {
      const output = await pendingOutput(outputId);
      if (!(await policyStore.decide(db, outputId, "released"))) throw new NotFoundError(`no quarantined output ${outputId} awaits a decision`);
      await audit("output.release", outputId, { batch: output.batchId, item: output.itemId, tenant: output.tenantId, key: output.key, safetyVerdict: output.safetyVerdict });
      return output;
    },

    /** Deletes a flagged image's object; its row stays quarantined for good, so nothing serves or exports it. */
    async delete(outputId: string): Promise<QuarantinedOutput> {
      if (!store) throw new ValidationError(["deleting an image needs the object store: delete it through the coordinator's dashboard API (POST /api/moderation/OUTPUT_ID/delete)"]);
      const output = await pendingOutput(outputId);
      await store.delete(output.key);
      if (!(await policyStore.decide(db, outputId, "deleted"))) throw new NotFoundError(`no quarantined output ${outputId} awaits a decision`);
      await audit("output.delete", outputId, { batch: output.batchId, item: output.itemId, tenant: output.tenantId, key: output.key, safetyVerdict: output.safetyVerdict });
      return output;
    },
  };
}

export type PolicyAdmin = ReturnType<typeof policyAdmin>;
