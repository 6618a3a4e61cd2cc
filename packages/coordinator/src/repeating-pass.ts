import type { Logger } from "@atelier/common";

export interface RepeatingPass {
  /** Run a pass now (or, when one is running, once more right after it). */
  kick(): void;
  /** No pass starts after this; one running ends after its current round. */
  stop(): void;
}

/**
 * Background work that runs on a timer and on demand, one pass at a time: a
 * kick while a pass runs makes that pass go round again rather than start a
 * second one beside it. `round` returns true when it left work undone (a
 * full page claimed), which also goes round again. A failed pass is logged
 * and the next tick or kick starts afresh.
 */
export function repeatingPass(options: { intervalMs: number; log: Logger; what: string; round: () => Promise<boolean> }): RepeatingPass {
  let running = false;
  let again = false;
  let stopped = false;
  const pass = async () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        if (await options.round()) again = true;
      } while (again && !stopped);
    } catch (error) {
      options.log.error({ err: error }, `${options.what} failed`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void pass(), options.intervalMs);
  timer.unref();
  return {
    kick: () => void pass(),
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
