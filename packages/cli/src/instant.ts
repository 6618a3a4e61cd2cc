import { CliError } from "./cli-error.ts";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A flag's instant: a date (YYYY-MM-DD, midnight UTC) or a date and time
 * with its zone (2026-11-01T12:00:00Z). `endOfDay` makes a date mean the end
 * of that day, so that `--to 2026-11-30` covers the 30th.
 */
export function parseInstant(flag: string, value: string, options: { endOfDay?: boolean } = {}): Date {
  const dateOnly = DATE_ONLY.test(value);
  const at = dateOnly || DATE_TIME.test(value) ? new Date(dateOnly ? `${value}T00:00:00Z` : value) : new Date(Number.NaN);
  // Date rolls 2026-02-30 over to March; a date that does not round-trip is no date.
  if (Number.isNaN(at.getTime()) || (dateOnly && at.toISOString().slice(0, 10) !== value)) {
    throw new CliError(`${flag} must be a date (YYYY-MM-DD, UTC) or a date and time with its zone (2026-11-01T12:00:00Z); got ${JSON.stringify(value)}`, 2);
  }
  return dateOnly && options.endOfDay ? new Date(at.getTime() + 86_400_000) : at;
}
