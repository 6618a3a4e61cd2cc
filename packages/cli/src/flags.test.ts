import { configFields } from "@atelier/common";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CliError } from "./cli-error.ts";
import { parseFlags } from "./flags.ts";

const flags = z.object({
  slots: configFields.integer(1, 64).default(1),
  "http-port": configFields.port().optional(),
  name: z.string().optional(),
});

describe("parseFlags", () => {
  it("gives typed values, defaults for what is unset, and ignores flags the schema does not own", () => {
    expect(parseFlags("agent", flags, { slots: "4", "http-port": "", name: "gpu-1", watch: true })).toEqual({ slots: 4, name: "gpu-1" });
    expect(parseFlags("agent", flags, {})).toEqual({ slots: 1 });
  });

  it("refuses a bad value by its flag and the value given, with exit status 2", () => {
    const refusal = (values: Record<string, unknown>) => {
      try {
        parseFlags("agent", flags, values);
      } catch (error) {
        return error;
      }
      throw new Error("accepted");
    };
    expect(refusal({ slots: "0" })).toMatchObject({ exitCode: 2, message: '--slots: must be an integer from 1 to 64 (got "0")' });
    expect(refusal({ slots: "0" })).toBeInstanceOf(CliError);
    expect(refusal({ slots: "two", "http-port": "99999" })).toMatchObject({
      exitCode: 2,
      message: 'invalid atelier agent options:\n  --slots: must be an integer from 1 to 64 (got "two")\n  --http-port: must be a port number from 0 to 65535 (got "99999")',
    });
  });
});
