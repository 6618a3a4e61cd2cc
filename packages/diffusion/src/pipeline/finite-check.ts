import { NonFiniteValuesError } from "../errors.ts";

/** Index of the first NaN or ±Infinity in `values`, or -1. */
export function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // v - v is NaN exactly for NaN and ±Infinity; cheaper than Number.isFinite in this loop.
    if (v - v !== 0) return i;
  }
  return -1;
}

/** Throws NonFiniteValuesError naming `what` when `values` holds NaN or ±Infinity. */
export function assertFinite(values: Float32Array, what: string, hint: string): void {
  const at = firstNonFinite(values);
  if (at >= 0) throw new NonFiniteValuesError(`${what} has ${values[at]} at index ${at}: ${hint}`);
}
