import type { CreatorRow, Database } from "@atelier/db";
import type { CreatorInfo, CreatorRemoved, CreatorsResponse } from "@atelier/dashboard/api-types";
import { ValidationError } from "../errors.ts";
import { LIMITS } from "../limits.ts";
import { creatorAdmin, type CreatorInput } from "../policy/creator-admin.ts";
import { HttpError, readJson } from "./http-io.ts";
import type { Route } from "./router.ts";

/** 50 keywords of 100 characters, a name and a payee, with room for JSON's quoting. */
const BODY_MAX_BYTES = 32 * 1024;

/**
 * creator-admin checks the terms and names what is wrong by the CLI's flags;
 * the page sends these fields, so a refusal names them instead.
 */
const FIELD_OF_FLAG: Record<string, string> = {
  "--tenant": "tenant",
  "--name": "displayName",
  "--payee": "payee",
  "--keyword": "keywords",
  "--price-per-image": "pricePerImage",
  "--platform-share": "platformShare",
  "--effective": "effective",
};

function refusal(error: ValidationError): HttpError {
  return new HttpError(400, error.message.replace(/--[a-z-]+/g, (flag) => FIELD_OF_FLAG[flag] ?? flag));
}

function tenantOf(value: unknown): string {
  if (typeof value !== "string" || !LIMITS.tenantName.test(value)) {
    throw new HttpError(400, `tenant must be 1-64 letters, digits, _ or - (got ${JSON.stringify(String(value ?? "").slice(0, 80))})`);
  }
  return value;
}

/**
 * The body's shape (strings, an array of strings, a decimal string or null);
 * the limits on what they hold are creator-admin's, the CLI's.
 */
function inputOf(body: unknown): { tenant: string; input: CreatorInput } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "the body must be a JSON object");
  const fields = body as Record<string, unknown>;
  const known = ["tenant", "displayName", "payee", "keywords", "pricePerImage", "platformShare"];
  const unknown = Object.keys(fields).filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new HttpError(400, `unknown field ${unknown.map((n) => JSON.stringify(n.slice(0, 40))).join(", ")}: the fields are ${known.join(", ")}`);
  const input: CreatorInput = {};
  for (const name of ["displayName", "payee"] as const) {
    const value = fields[name];
    if (value === undefined) continue;
    if (typeof value !== "string") throw new HttpError(400, `${name} must be a string`);
    input[name] = value;
  }
  if (fields.keywords !== undefined) {
    if (!Array.isArray(fields.keywords) || !fields.keywords.every((k) => typeof k === "string")) throw new HttpError(400, "keywords must be an array of strings");
    input.keywords = fields.keywords as string[];
  }
  for (const name of ["pricePerImage", "platformShare"] as const) {
    const value = fields[name];
    if (value === undefined) continue;
    if (value !== null && typeof value !== "string") throw new HttpError(400, `${name} must be a decimal as a string, or null for the statement's`);
    input[name] = value;
  }
  return { tenant: tenantOf(fields.tenant), input };
}

function info(row: CreatorRow): CreatorInfo {
  return {
    id: row.id,
    tenant: row.tenantId,
    displayName: row.displayName,
    payee: row.payee,
    keywords: row.keywords,
    pricePerImage: row.pricePerImage,
    platformShare: row.platformShare,
    version: row.versions,
    validFromMs: row.validFrom.getTime(),
  };
}

/**
 * A tenant's creators for admins (every dashboard session is an admin's):
 * listed, registered, changed (each change a new version of the terms, valid
 * from now) and removed through creator-admin, the module `atelier creators`
 * uses, so the checks, the versions and the audit (under the signed-in admin)
 * are the CLI's.
 */
export function creatorRoutes(deps: { db: Database }): Route[] {
  const admin = (actor: string) => creatorAdmin(deps.db, actor);
  const checked = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ValidationError) throw refusal(error);
      throw error;
    }
  };
  return [
    {
      method: "GET",
      path: "/api/creators",
      handler: async ({ url, session }): Promise<CreatorsResponse> => {
        const tenant = tenantOf(url.searchParams.get("tenant") ?? "");
        return { tenant, creators: (await admin(session!.principal.actor).list(tenant)).map(info) };
      },
    },
    {
      method: "POST",
      path: "/api/creators",
      handler: async ({ request, session }): Promise<CreatorInfo> => {
        const { tenant, input } = inputOf(await readJson(request, BODY_MAX_BYTES));
        return info(await checked(() => admin(session!.principal.actor).add(tenant, input)));
      },
    },
    {
      method: "POST",
      path: "/api/creators/:id",
      handler: async ({ request, params, session }): Promise<CreatorInfo> => {
        const { tenant, input } = inputOf(await readJson(request, BODY_MAX_BYTES));
        return info(await checked(() => admin(session!.principal.actor).update(tenant, params.id!, input)));
      },
    },
    {
      method: "DELETE",
      path: "/api/creators/:id",
      handler: async ({ url, params, session }): Promise<CreatorRemoved> => {
        const tenant = tenantOf(url.searchParams.get("tenant") ?? "");
        await checked(() => admin(session!.principal.actor).remove(tenant, params.id!));
        return { id: params.id!, tenant };
      },
    },
  ];
}
