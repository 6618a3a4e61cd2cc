import { auditStore, type Database } from "@atelier/db";
import type { AuditResponse } from "@atelier/dashboard/api-types";
import { HttpError } from "./http-io.ts";
import type { Route } from "./router.ts";
import { LIMITS } from "../limits.ts";

const PAGE_DEFAULT = 100;
const PAGE_MAX = 500;

/**
 * The audit log for admins (every dashboard session is an admin's): who did
 * what and when, newest first; `before` (an event id) pages back.
 */
export function auditRoutes(deps: { db: Database }): Route[] {
  return [
    {
      method: "GET",
      path: "/api/audit",
      handler: async ({ url }): Promise<AuditResponse> => {
        const limitText = url.searchParams.get("limit");
        const limit = limitText === null ? PAGE_DEFAULT : Number(limitText);
        if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX) throw new HttpError(400, `limit must be a whole number from 1 to ${PAGE_MAX}`);
        const before = url.searchParams.get("before") ?? undefined;
        if (before !== undefined && !LIMITS.rowId.test(before)) throw new HttpError(400, "before must be an audit event's id");
        const rows = await auditStore.list(deps.db, { limit, ...(before ? { before } : {}) });
        return {
          events: rows.map((row) => ({ id: row.id, atMs: row.at.getTime(), actor: row.actor, action: row.action, target: row.target, detail: row.detail })),
          // A full page may have more behind it.
          next: rows.length === limit ? rows.at(-1)!.id : null,
        };
      },
    },
  ];
}
