import { randomUUID } from "node:crypto";
import {
  defaultDeliveryError,
  type EventBus,
  type EventBusOptions,
  type EventSubscription,
  type FarmEvent,
  type PublishOptions,
} from "./event-bus.ts";
import { assertPublishSubject, assertSubscribeSubject, subjectMatches } from "./subject-match.ts";

interface Subscriber {
  pattern: string;
  handler: (event: FarmEvent) => void;
}

/**
 * A real bus inside one process, for a single-node farm and for tests. It
 * mirrors NATS where callers could tell the difference: delivery is
 * asynchronous and in publish order, and each handler gets its own JSON
 * round-tripped copy of the data (a Date arrives as a string, as on NATS).
 */
export function createInProcessBus(options: EventBusOptions = {}): EventBus {
  const onDeliveryError = options.onDeliveryError ?? defaultDeliveryError;
  const subscribers = new Set<Subscriber>();
  // Every delivery is chained here: this keeps publish order and lets
  // close() wait for what is already published.
  let delivered: Promise<void> = Promise.resolve();
  let closing: Promise<void> | undefined;

  function deliver(subject: string, encoded: string): void {
    for (const subscriber of subscribers) {
      if (!subjectMatches(subscriber.pattern, subject)) continue;
      try {
        subscriber.handler(JSON.parse(encoded) as FarmEvent);
      } catch (error) {
        onDeliveryError(error, subject);
      }
    }
  }

  return {
    async publish(subject: string, data: unknown, publish: PublishOptions = {}): Promise<void> {
      if (closing) throw new Error(`cannot publish to ${subject}: the event bus is closed`);
      assertPublishSubject(subject);
      const event: FarmEvent = { id: publish.id ?? randomUUID(), subject, at: publish.at ?? Date.now(), data };
      const encoded = JSON.stringify(event);
      delivered = delivered.then(() => deliver(subject, encoded));
    },

    subscribe(subject: string, handler: (event: FarmEvent) => void): EventSubscription {
      if (closing) throw new Error(`cannot subscribe to ${subject}: the event bus is closed`);
      assertSubscribeSubject(subject);
      const subscriber: Subscriber = { pattern: subject, handler };
      subscribers.add(subscriber);
      return { unsubscribe: () => void subscribers.delete(subscriber) };
    },

    close(): Promise<void> {
      closing ??= delivered.then(() => subscribers.clear());
      return closing;
    },
  };
}
