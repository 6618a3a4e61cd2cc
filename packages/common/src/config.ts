import { z } from "zod";

/**
 * Configuration parsed once at start-up with a schema: the coordinator's
 * environment, the agent's flags and environment. What every such parse
 * shares: empty means unset, and one message lists every problem by the name
 * the operator typed.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    message: string,
    /** One line per problem, e.g. "--slots: must be an integer from 1 to 64 (got "0")". */
    readonly issues: string[],
  ) {
    super(message);
  }
}

export interface ParseConfigOptions {
  /** What is being read, for the first line of the error: "configuration", "atelier agent options". */
  what: string;
  /** How the operator spells a key: "--slots" for a flag; the key itself by default. */
  label?: (key: string) => string;
  /** Quote the value given beside each problem. Off by default: an environment holds secrets. */
  showValues?: boolean;
}

/**
 * Parses `values` with `schema`, dropping keys whose value is "" or
 * undefined first (an empty variable counts as unset, as shells and compose
 * files expect). Throws a ConfigError naming every problem.
 */
export function parseConfig<Schema extends z.ZodType>(schema: Schema, values: Record<string, unknown>, options: ParseConfigOptions): z.output<Schema> {
  const given = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== "" && value !== undefined));
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data;
  const label = options.label ?? ((key: string) => key);
  const issues = parsed.error.issues.map((issue) => {
    const key = issue.path.map(String).join(".");
    const raw = issue.path.length === 1 ? given[String(issue.path[0])] : undefined;
    const got = options.showValues && raw !== undefined ? ` (got ${JSON.stringify(raw)})` : "";
    return `${label(key)}: ${issue.message}${got}`;
  });
  throw new ConfigError(`invalid ${options.what}:\n${issues.map((line) => `  ${line}`).join("\n")}`, issues);
}

/** Field schemas with the messages an operator should read; values may come as strings. */
export const configFields = {
  /** An integer in [min, max]; either bound may be left open. */
  integer(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
    const error =
      max < Number.MAX_SAFE_INTEGER ? `must be an integer from ${min} to ${max}`
      : min > Number.MIN_SAFE_INTEGER ? `must be an integer, ${min} or more`
      : "must be an integer";
    return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
  },
  /** A TCP port; 0 picks a free one. */
  port() {
    const error = "must be a port number from 0 to 65535";
    return z.coerce.number({ error }).int({ error }).min(0, { error }).max(65_535, { error });
  },
  /** A whole number of milliseconds, more than 0. */
  positiveMs() {
    const error = "must be a whole number of milliseconds, more than 0";
    return z.coerce.number({ error }).int({ error }).positive({ error });
  },
  /** A number (of `unit`), 0 or more; fractions allowed. */
  nonNegative(unit?: string) {
    const error = `must be a number${unit ? ` of ${unit}` : ""}, 0 or more`;
    return z.coerce.number({ error }).min(0, { error }).refine(Number.isFinite, { error });
  },
  /** "a, b,c" → ["a", "b", "c"]; empty entries dropped. */
  list() {
    return z.string().transform((text) => text.split(",").map((entry) => entry.trim()).filter(Boolean));
  },
  logLevel() {
    return z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
  },
};
