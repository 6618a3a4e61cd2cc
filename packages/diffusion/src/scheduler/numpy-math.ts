// The few numpy routines diffusers builds its schedules with, reproduced in
// the same float64 arithmetic so timesteps come out identical (round() goes
// to the even neighbour; linspace is i*step + start with the exact end).

export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** np.linspace(start, stop, num) with endpoint. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/** np.arange(start, stop, step) for a float step of either sign. */
export function arange(start: number, stop: number, step: number): number[] {
  const length = Math.max(0, Math.ceil((stop - start) / step));
  return Array.from({ length }, (_, i) => start + i * step);
}

/** np.interp(x, [0, 1, ..., n-1], table): linear between integer positions, clamped at the ends. */
export function interpIndex(x: number, table: ArrayLike<number>): number {
  if (x <= 0) return table[0]!;
  const last = table.length - 1;
  if (x >= last) return table[last]!;
  const j = Math.floor(x);
  const slope = table[j + 1]! - table[j]!;
  return slope * (x - j) + table[j]!;
}
