import { describe, expect, it } from "vitest";
import { objectKeyFor } from "./object-key.ts";

describe("objectKeyFor", () => {
  it("pads the index to eight digits and keeps the seed as is", () => {
    expect(objectKeyFor("acme", "b1", 7, 42)).toBe("acme/b1/00000007-42.png");
    expect(objectKeyFor("acme", "b1", 12345678, 4294967295)).toBe("acme/b1/12345678-4294967295.png");
  });

  it("sorts keys in item order", () => {
    const keys = [10, 9, 100].map((index) => objectKeyFor("t", "b", index, 1));
    expect([...keys].sort()).toEqual([9, 10, 100].map((index) => objectKeyFor("t", "b", index, 1)));
  });

  it("refuses segments that would escape the tenant prefix", () => {
    expect(() => objectKeyFor("acme/other", "b1", 0, 1)).toThrow(/tenant/);
    expect(() => objectKeyFor("acme", "..", 0, 1)).toThrow(/batchId/);
    expect(() => objectKeyFor("", "b1", 0, 1)).toThrow(/tenant/);
  });

  it("refuses negative or fractional numbers", () => {
    expect(() => objectKeyFor("t", "b", -1, 1)).toThrow(/index/);
    expect(() => objectKeyFor("t", "b", 1.5, 1)).toThrow(/index/);
    expect(() => objectKeyFor("t", "b", 0, Number.NaN)).toThrow(/seed/);
  });
});
