import { backoffDelayMs } from "@atelier/common/backoff";
import type { AgentStatusEvent, ExportJobProgress, FarmLoadSample, ProgressEvent } from "../api-types.ts";

// Reconnects after a refusal: 1 s doubling to 30 s, full jitter, so that the
// dashboards open on a restarted coordinator do not all come back at once.
const RETRY_BACKOFF = { baseMs: 1_000, maxMs: 30_000 };

export type LiveState = "connecting" | "live" | "reconnecting" | "closed";

interface LiveEvents {
  progress: ProgressEvent[];
  agents: AgentStatusEvent[];
  load: FarmLoadSample;
  /** Server-side dataset exports' progress, latest per export. */
  exports: ExportJobProgress[];
  /** The stream reconnected: anything may have changed meanwhile, so views re-read. */
  resync: undefined;
}

type Handler<K extends keyof LiveEvents> = (data: LiveEvents[K]) => void;

/**
 * The dashboard's live updates: one EventSource on /api/events. The browser
 * reconnects by itself after a dropped connection; when the server refuses
 * (signed out, coordinator gone) the source closes and this retries with
 * backoff, asking `checkSession` first so that a lost session shows sign-in.
 */
export class LiveUpdates {
  private source: EventSource | undefined;
  private readonly handlers = new Map<keyof LiveEvents, Set<Handler<never>>>();
  private readonly stateListeners = new Set<(state: LiveState) => void>();
  private state: LiveState = "closed";
  private connectedOnce = false;
  private retryTimer: number | undefined;
  private retries = 0;

  constructor(private readonly checkSession: () => Promise<boolean>) {}

  start(): void {
    if (this.source) return;
    this.setState(this.connectedOnce ? "reconnecting" : "connecting");
    const source = new EventSource("/api/events");
    this.source = source;
    source.addEventListener("open", () => {
      this.retries = 0;
      this.setState("live");
      if (this.connectedOnce) this.emit("resync", undefined);
      this.connectedOnce = true;
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) this.retryLater();
      else this.setState("reconnecting");
    });
    for (const name of ["progress", "agents", "load", "exports"] as const) {
      source.addEventListener(name, (event) => this.emit(name, JSON.parse((event as MessageEvent<string>).data)));
    }
  }

  stop(): void {
    window.clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = undefined;
    this.connectedOnce = false;
    this.setState("closed");
  }

  on<K extends keyof LiveEvents>(name: K, handler: Handler<K>): () => void {
    const set = this.handlers.get(name) ?? new Set();
    set.add(handler as Handler<never>);
    this.handlers.set(name, set);
    return () => set.delete(handler as Handler<never>);
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }

  private retryLater(): void {
    this.source?.close();
    this.source = undefined;
    this.setState("reconnecting");
    const delayMs = backoffDelayMs(this.retries++, RETRY_BACKOFF);
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => {
      // Signed out: the sign-in page takes over. Unreachable: keep trying.
      this.checkSession().then(
        (signedIn) => signedIn && this.start(),
        () => this.retryLater(),
      );
    }, delayMs);
  }

  private emit<K extends keyof LiveEvents>(name: K, data: LiveEvents[K]): void {
    for (const handler of this.handlers.get(name) ?? []) (handler as Handler<K>)(data);
  }

  private setState(state: LiveState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
