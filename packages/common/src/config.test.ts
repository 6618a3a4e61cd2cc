import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, configFields, parseConfig } from "./config.ts";

const schema = z.object({
  SLOTS: configFields.integer(1, 64).default(1),
  PORT: configFields.port().optional(),
  MEMORY: configFields.nonNegative("megabytes").optional(),
  PROVIDERS: configFields.list().default(["cpu"]),
  SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  PRIORITY: configFields.integer().optional(),
  COUNT: configFields.integer(1).optional(),
  GUIDANCE: configFields.nonNegative().optional(),
});

describe("parseConfig", () => {
  it("coerces strings, applies defaults and treats empty values as unset", () => {
    expect(parseConfig(schema, { SLOTS: "4", PORT: "", MEMORY: "0.5", PROVIDERS: "cuda, cpu,", OTHER: "x" }, { what: "configuration" })).toEqual({
      SLOTS: 4,
      MEMORY: 0.5,
      PROVIDERS: ["cuda", "cpu"],
    });
  });

  it("says what an open-ended number must be", () => {
    expect(parseConfig(schema, { PRIORITY: "-3", COUNT: "2", GUIDANCE: "0" }, { what: "options" })).toMatchObject({ PRIORITY: -3, COUNT: 2, GUIDANCE: 0 });
    expect(() => parseConfig(schema, { PRIORITY: "1.5", COUNT: "0", GUIDANCE: "-1" }, { what: "options" })).toThrow(
      "invalid options:\n  PRIORITY: must be an integer\n  COUNT: must be an integer, 1 or more\n  GUIDANCE: must be a number, 0 or more",
    );
  });

  it("names every problem as the operator spells the key, and quotes values only when asked", () => {
    const attempt = (showValues: boolean) => parseConfig(schema, { SLOTS: "0", PORT: "70000", SECRET: "short" }, { what: "atelier agent options", label: (key) => `--${key.toLowerCase()}`, showValues });
    expect(() => attempt(true)).toThrow(ConfigError);
    try {
      attempt(false);
    } catch (error) {
      expect((error as ConfigError).message).toBe(
        "invalid atelier agent options:\n  --slots: must be an integer from 1 to 64\n  --port: must be a port number from 0 to 65535\n  --secret: must be at least 16 characters",
      );
    }
    try {
      attempt(true);
    } catch (error) {
      expect((error as ConfigError).issues[0]).toBe('--slots: must be an integer from 1 to 64 (got "0")');
    }
  });
});
