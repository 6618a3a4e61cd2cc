import type { Database } from "@atelier/db";
import type { BatchHeader__Output } from "@atelier/protocol";
import type { Caller } from "./auth/authenticator.ts";
import { PermissionDeniedError, QuotaError, ValidationError } from "./errors.ts";

export interface TenantLimits {
  /** Items a tenant may have queued or running at once, this submission included. */
  maxQueuedItems: number;
  /** The priorities a user token may ask for; an admin's may be anything within ±PRIORITY_BOUND. */
  userPriority: { min: number; max: number };
}

const PRIORITY_BOUND = 1_000;

export const DEFAULT_TENANT_LIMITS: TenantLimits = { maxQueuedItems: 10_000_000, userPriority: { min: -10, max: 10 } };

/** What one submission may do: the tenant it writes as, and how many items it may add. */
export interface Admission {
  tenantId: string;
  maxItems: number;
}

/**
 * Decides, before anything is written, whether `caller` may submit this
 * header: the tenant comes from the token (an admin may name any tenant), the
 * priority must be within the caller's range, and the tenant's queue must
 * have room. Concurrent submissions of one tenant each see the queue as it
 * was when they began, so the quota can be passed by at most their sum.
 */
export async function admitSubmission(db: Database, caller: Caller, header: BatchHeader__Output, limits: TenantLimits): Promise<Admission> {
  const tenantId = header.tenant || caller.tenantId;
  if (tenantId !== caller.tenantId && !caller.admin) {
    throw new PermissionDeniedError(`this token submits as tenant "${caller.tenantId}"; header.tenant may only name that tenant`);
  }
  const range = caller.admin ? { min: -PRIORITY_BOUND, max: PRIORITY_BOUND } : limits.userPriority;
  if (header.priority < range.min || header.priority > range.max) {
    throw new ValidationError([`priority must be between ${range.min} and ${range.max} for this token (got ${header.priority})`]);
  }
  const rows = await db.query<{ n: string }>(
    `SELECT coalesce(sum(total - done - failed - cancelled), 0)::text AS n FROM batch WHERE tenant_id = $1 AND state IN ('queued', 'running')`,
    [tenantId],
  );
  const queued = Number(rows[0]?.n ?? 0);
  const maxItems = limits.maxQueuedItems - queued;
  if (maxItems <= 0) {
    throw new QuotaError(`tenant ${tenantId} has ${queued} items queued, the most it may (ATELIER_TENANT_MAX_QUEUED=${limits.maxQueuedItems}); wait for some to finish`);
  }
  return { tenantId, maxItems };
}
