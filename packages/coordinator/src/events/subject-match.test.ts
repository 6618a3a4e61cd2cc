import { describe, expect, it } from "vitest";
import { subjectMatches } from "./subject-match.ts";

describe("subjectMatches", () => {
  it.each([
    ["a.b.c", "a.b.c", true],
    ["a.b.c", "a.b", false],
    ["a.*.c", "a.b.c", true],
    ["a.*.c", "a.b.d", false],
    ["a.*", "a.b.c", false],
    ["*", "a", true],
    ["*", "a.b", false],
    ["a.>", "a.b", true],
    ["a.>", "a.b.c.d", true],
    ["a.>", "a", false],
    [">", "a.b", true],
    ["*.>", "a", false],
    ["a*.b", "ax.b", false],
    ["a*.b", "a*.b", true],
  ])("%s against %s is %s", (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});
