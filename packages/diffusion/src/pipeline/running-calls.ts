/**
 * The calls a holder of model sessions has running, so that closing it lets
 * them end before the sessions are released. A closed holder takes no new
 * call (its callers check `closed` first).
 */
export class RunningCalls {
  private readonly running = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  get closed(): boolean {
    return this.closing !== undefined;
  }

  track<T>(run: Promise<T>): Promise<T> {
    this.running.add(run);
    const forget = () => this.running.delete(run);
    run.then(forget, forget);
    return run;
  }

  /** Waits for the running calls to settle, then releases; idempotent. */
  close(release: () => Promise<unknown>): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.running]);
      await release();
    })();
    return this.closing;
  }
}
