import type { Database } from "@atelier/db";
import type { ModerationDecision, ModerationResponse } from "@atelier/dashboard/api-types";
import { NotFoundError, ValidationError } from "../errors.ts";
import { HttpError } from "../http/http-io.ts";
import type { Route } from "../http/router.ts";
import { LIMITS } from "../limits.ts";
import type { ObjectStore } from "../storage/index.ts";
import { policyAdmin } from "./policy-admin.ts";

const PAGE_DEFAULT = 50;
const PAGE_MAX = 200;

/**
 * The moderation queue for admins (every dashboard session is an admin's):
 * quarantined images, each image behind a short-lived URL for the page to
 * show blurred, and the release or deletion of each, audited under the
 * signed-in admin.
 */
export function moderationRoutes(deps: { db: Database; store: ObjectStore; imageUrlTtlMs: number }): Route[] {
  const decide = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof NotFoundError) throw new HttpError(404, error.message);
      if (error instanceof ValidationError) throw new HttpError(400, error.message);
      throw error;
    }
  };
  return [
    {
      method: "GET",
      path: "/api/moderation",
      handler: async ({ url, session }): Promise<ModerationResponse> => {
        const limitText = url.searchParams.get("limit");
        const limit = limitText === null ? PAGE_DEFAULT : Number(limitText);
        if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX) throw new HttpError(400, `limit must be a whole number from 1 to ${PAGE_MAX}`);
        const after = url.searchParams.get("after") ?? undefined;
        if (after !== undefined && !LIMITS.rowId.test(after)) throw new HttpError(400, "after must be an output's id");
        const rows = await policyAdmin(deps.db, session!.principal.actor).queue({ limit, ...(after ? { afterOutputId: after } : {}) });
        return {
          images: rows.map((r) => ({ outputId: r.outputId, itemId: r.itemId, batchId: r.batchId, tenantId: r.tenantId, prompt: r.prompt, safetyVerdict: r.safetyVerdict, createdAtMs: r.createdAt.getTime() })),
          next: rows.length === limit ? rows.at(-1)!.outputId : null,
        };
      },
    },
    {
      method: "GET",
      path: "/api/moderation/:id/image",
      handler: async ({ params, response, session }) => {
        const pending = await decide(() => policyAdmin(deps.db, session!.principal.actor).pending(params.id!));
        const url = await deps.store.presignGet(pending.key, { expiresInMs: deps.imageUrlTtlMs });
        response.writeHead(302, { location: url, "cache-control": "no-store" }).end();
        return undefined;
      },
    },
    {
      method: "POST",
      path: "/api/moderation/:id/release",
      handler: async ({ params, session }): Promise<ModerationDecision> => {
        await decide(() => policyAdmin(deps.db, session!.principal.actor).release(params.id!));
        return { outputId: params.id!, decision: "released" };
      },
    },
    {
      method: "POST",
      path: "/api/moderation/:id/delete",
      handler: async ({ params, session }): Promise<ModerationDecision> => {
        await decide(() => policyAdmin(deps.db, session!.principal.actor, deps.store).delete(params.id!));
        return { outputId: params.id!, decision: "deleted" };
      },
    },
  ];
}
