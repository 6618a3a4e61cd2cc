/**
 * For fault tests: moves this process's wall clock (`Date.now()`, `new
 * Date()`) by `offsetMs`, as a host with a skewed clock would read it. The
 * monotonic clock (`performance.now()`), on which the agent judges its
 * leases, is left alone; the farm must behave exactly as without the skew.
 */
export function shiftWallClock(offsetMs: number): void {
  if (offsetMs === 0) return;
  const RealDate = globalThis.Date;
  class ShiftedDate extends RealDate {
    constructor(...args: ConstructorParameters<DateConstructor> | []) {
      if (args.length === 0) super(RealDate.now() + offsetMs);
      else super(...args);
    }

    static override now(): number {
      return RealDate.now() + offsetMs;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
}
