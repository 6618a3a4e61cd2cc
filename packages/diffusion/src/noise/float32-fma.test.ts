import { describe, expect, it } from "vitest";
import { fma32 } from "./float32-fma.ts";

// Cases where a·b + c lies within a hair of a float32 rounding midpoint, so
// that rounding it to double first lands exactly on the midpoint and the tie
// then goes the wrong way. Expected values by exact arithmetic (floats near
// 2³⁰ are 128 apart): a·b = ±(64 - 2⁻⁴⁰) since (1 - 2⁻²³)(1 + 2⁻²³) = 1 - 2⁻⁴⁶.
const a = 64 * (1 - 2 ** -23);
const b = 1 + 2 ** -23;
const c = 2 ** 30 + 128;

describe("fma32", () => {
  it("rounds a sum just above a midpoint up, where double-then-float rounds it down to even", () => {
    // c - a·b = 2³⁰ + 64 + 2⁻⁴⁰: above the midpoint of 2³⁰ and 2³⁰ + 128.
    expect(Math.fround(-a * b + c)).toBe(2 ** 30);
    expect(fma32(-a, b, c)).toBe(2 ** 30 + 128);
  });

  it("rounds a sum just below a midpoint down, where double-then-float rounds it up to even", () => {
    // c + a·b = 2³⁰ + 192 - 2⁻⁴⁰: below the midpoint of 2³⁰ + 128 and 2³⁰ + 256.
    expect(Math.fround(a * b + c)).toBe(2 ** 30 + 256);
    expect(fma32(a, b, c)).toBe(2 ** 30 + 128);
  });

  it("agrees with plain rounding when the sum is exact in double", () => {
    expect(fma32(Math.fround(0.1), Math.fround(3), Math.fround(-0.3))).toBe(Math.fround(Math.fround(0.1) * 3 - Math.fround(0.3)));
    expect(fma32(-0, 1, 0)).toBe(0);
  });
});
