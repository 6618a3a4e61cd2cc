import { ConfigError, parseConfig } from "@atelier/common";
import type { z } from "zod";
import { CliError } from "./cli-error.ts";

/**
 * A command's flags (with the environment variables that default them)
 * checked with a zod schema: every problem named by its flag and the value
 * given, exit status 2. Empty values count as unset.
 */
export function parseFlags<Schema extends z.ZodType>(command: string, schema: Schema, values: Record<string, unknown>): z.output<Schema> {
  try {
    return parseConfig(schema, values, { what: `atelier ${command} options`, label: (key) => `--${key}`, showValues: true });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.issues.length === 1 ? error.issues[0]! : error.message, 2);
    throw error;
  }
}
