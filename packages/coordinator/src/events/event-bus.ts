/**
 * The event bus seam: notifications for the dashboard and for wake-ups,
 * never the record. Postgres is the truth and events are fed from its
 * outbox, so delivery is at least once and consumers dedupe by `id`.
 * Every implementation must pass `event-bus.test.ts`.
 */
export interface FarmEvent {
  /** Unique per published event, for consumer dedupe. */
  id: string;
  /** The subject as published, without any bus prefix. */
  subject: string;
  /** Publish time, ms since the epoch. */
  at: number;
  /** The published data after a JSON round trip, on every implementation. */
  data: unknown;
}

export interface EventBus {
  /**
   * Fills `id` and `at` unless given. Rejects on a closed bus, or data that
   * JSON cannot encode or NATS cannot carry (1 MiB by default): events are
   * small notifications, not payloads.
   */
  publish(subject: string, data: unknown, options?: PublishOptions): Promise<void>;
  /** NATS wildcards: `*` matches one token, a final `>` one or more. */
  subscribe(subject: string, handler: (event: FarmEvent) => void): EventSubscription;
  /**
   * Messages in another system's format (an object store's S3 event
   * notifications): the subject is taken as given, without the bus's prefix,
   * and each message's bytes are handed over undecoded.
   */
  subscribeForeign(subject: string, handler: (payload: Uint8Array) => void): EventSubscription;
  /** Publishes bytes in another system's format on a subject taken as given (the embedded store's notifications). */
  publishForeign(subject: string, payload: Uint8Array): void;
  /** Idempotent. Delivers what was already published, then stops. */
  close(): Promise<void>;
}

export interface PublishOptions {
  /**
   * An outbox relay passes the row's id and time, so that a replay after a
   * lost publish carries the same id and consumers can drop the duplicate.
   */
  id?: string;
  at?: number;
}

export interface EventSubscription {
  /** Idempotent. */
  unsubscribe(): void;
}

export interface EventBusOptions {
  /**
   * Called when a handler throws or a message cannot be decoded; delivery to
   * other handlers goes on. Default: a process warning, so a faulty consumer
   * neither crashes the coordinator nor fails silently.
   */
  onDeliveryError?: (error: unknown, subject: string) => void;
}

export function defaultDeliveryError(error: unknown, subject: string): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.emitWarning(`event delivery on ${subject} failed: ${reason}`, { type: "EventBusWarning" });
}
