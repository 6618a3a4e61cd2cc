/**
 * Slows down token guessing: after `maxFailures` wrong tokens from one
 * address within `windowMs`, that address is refused until the oldest
 * failure leaves the window. A right token is never refused for others'
 * failures, and the table is capped so that many addresses cannot grow it.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: { maxFailures: number; windowMs: number; maxAddresses: number; now?: () => number }) {}

  /** Milliseconds until this address may try again; 0 when it may now. */
  retryAfterMs(address: string): number {
    const recent = this.recent(address);
    if (recent.length < this.options.maxFailures) return 0;
    return Math.max(1, recent[0]! + this.options.windowMs - this.now());
  }

  fail(address: string): void {
    const recent = this.recent(address);
    recent.push(this.now());
    this.failures.delete(address);
    this.failures.set(address, recent);
    if (this.failures.size > this.options.maxAddresses) this.failures.delete(this.failures.keys().next().value as string);
  }

  succeed(address: string): void {
    this.failures.delete(address);
  }

  private recent(address: string): number[] {
    const since = this.now() - this.options.windowMs;
    return (this.failures.get(address) ?? []).filter((at) => at > since);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
