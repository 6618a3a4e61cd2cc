import { csvTable } from "@atelier/common";
import { creatorStore, MissingTermsError, type Database, type StatementPeriod } from "@atelier/db";
import type { RoyaltiesResponse } from "@atelier/dashboard/api-types";
import { LIMITS } from "../limits.ts";
import { HttpError } from "./http-io.ts";
import type { Route } from "./router.ts";

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^\d{1,12}(\.\d{1,12})?$/;
/** `atelier royalties --format csv`'s columns. */
const CSV_HEADER = ["creator", "name", "payee", "images", "mean_contribution", "gross", "platform_share", "payable"];

function date(url: URL, name: string): Date {
  const value = url.searchParams.get(name) ?? "";
  const at = DATE.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(Number.NaN);
  // Date rolls 2026-02-30 over to March; a date that does not round-trip is no date.
  if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== value) throw new HttpError(400, `${name} must be a date, YYYY-MM-DD in UTC (got ${JSON.stringify(value.slice(0, 40))})`);
  return at;
}

function decimal(url: URL, name: string, max?: number): string | null {
  const value = url.searchParams.get(name);
  if (value === null || value === "") return null;
  if (!DECIMAL.test(value) || (max !== undefined && Number(value) > max)) {
    throw new HttpError(400, `${name} must be a decimal number from 0${max === undefined ? "" : ` to ${max}`} (got ${JSON.stringify(value.slice(0, 40))})`);
  }
  return value;
}

/** The statement's period from the query: `to` is a whole day, included. */
function periodOf(url: URL): StatementPeriod {
  const tenantId = url.searchParams.get("tenant") ?? "";
  if (!LIMITS.tenantName.test(tenantId)) throw new HttpError(400, `tenant must be 1-64 letters, digits, _ or - (got ${JSON.stringify(tenantId.slice(0, 80))})`);
  const from = date(url, "from");
  const to = new Date(date(url, "to").getTime() + DAY_MS);
  if (to <= from) throw new HttpError(400, "to must not be before from");
  return { tenantId, from, to, pricePerImage: decimal(url, "pricePerImage"), platformShare: decimal(url, "platformShare", 1) };
}

/**
 * Royalty statements for admins (every dashboard session is an admin's): the
 * statement `atelier royalties` prints, computed by the same query, as JSON
 * for the page and as CSV to download.
 */
export function royaltyRoutes(deps: { db: Database }): Route[] {
  const statement = async (period: StatementPeriod) => {
    try {
      return await creatorStore.statement(deps.db, period);
    } catch (error) {
      // A creator without a price or share in its terms: the page can give one.
      if (error instanceof MissingTermsError) throw new HttpError(400, `${error.message}: give pricePerImage or platformShare`);
      throw error;
    }
  };
  return [
    {
      method: "GET",
      path: "/api/royalties",
      handler: async ({ url }): Promise<RoyaltiesResponse> => {
        const period = periodOf(url);
        return { tenant: period.tenantId, fromMs: period.from.getTime(), toMs: period.to.getTime(), lines: await statement(period) };
      },
    },
    {
      method: "GET",
      path: "/api/royalties/csv",
      handler: async ({ url, response }) => {
        const period = periodOf(url);
        const lines = await statement(period);
        const rows = lines.map((l) => [l.creatorId, l.displayName, l.payee, String(l.images), l.meanContribution, l.gross, l.platform, l.payable]);
        const name = `royalties-${period.tenantId}-${url.searchParams.get("from")}-${url.searchParams.get("to")}.csv`;
        response.writeHead(200, {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="${name}"`,
          "cache-control": "no-store",
        }).end(csvTable(CSV_HEADER, rows));
        return undefined;
      },
    },
  ];
}
