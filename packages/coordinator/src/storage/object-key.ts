/**
 * The deterministic output key from ARCHITECTURE.md:
 * `<tenant>/<batch>/<index:08d>-<seed>.png`. A re-run of an item (lease
 * expiry, retry, speculative copy) must land on the same key, so the key is
 * a pure function of the item; the zero padding keeps listings in item order.
 */
export function objectKeyFor(tenant: string, batchId: string, index: number, seed: number): string {
  // Tenant isolation rests on the first path segment: a "/" inside a segment
  // would let one tenant's keys fall under another's prefix, and "." or ".."
  // would be rewritten by URL normalisation in presigned URLs.
  assertSegment("tenant", tenant);
  assertSegment("batchId", batchId);
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`objectKeyFor: index must be a non-negative integer, got ${index}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`objectKeyFor: seed must be a non-negative integer, got ${seed}`);
  }
  return `${tenant}/${batchId}/${String(index).padStart(8, "0")}-${seed}.png`;
}

function assertSegment(name: string, value: string): void {
  if (value === "" || value === "." || value === ".." || value.includes("/")) {
    throw new RangeError(`objectKeyFor: ${name} must be a single path segment (no "/", not "." or ".."), got ${JSON.stringify(value)}`);
  }
}
