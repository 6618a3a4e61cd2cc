import type { LiveUpdates } from "../lib/live.ts";
import type { Route } from "../lib/router.ts";

/** A page of the dashboard: mounted on navigation, disposed (timers, listeners, dialogs) on the next. */
export interface View {
  element: HTMLElement;
  dispose(): void;
}

export interface ViewContext {
  route: Route;
  live: LiveUpdates;
}

/**
 * Runs `work` at most once per `intervalMs`, the last call winning: live
 * events can arrive hundreds of times a minute, re-reads should not.
 */
export function throttled(
  work: () => Promise<void> | void,
  intervalMs: number,
  onError: (error: unknown) => void = (error) => console.error(error),
): { run(): void; cancel(): void } {
  let timer: number | undefined;
  let lastRunMs = 0;
  let running = false;
  let again = false;
  const fire = async () => {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = true;
    lastRunMs = Date.now();
    try {
      await work();
    } catch (error) {
      onError(error);
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    if (timer !== undefined) return;
    timer = window.setTimeout(() => void fire(), Math.max(0, lastRunMs + intervalMs - Date.now()));
  };
  return { run: schedule, cancel: () => window.clearTimeout(timer) };
}
