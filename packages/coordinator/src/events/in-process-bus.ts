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
  const foreignSubscribers = new Set<{ pattern: string; handler: (payload: Uint8Array) => void }>();
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

    subscribeForeign(subject: string, handler: (payload: Uint8Array) => void): EventSubscription {
      if (closing) throw new Error(`cannot subscribe to ${subject}: the event bus is closed`);
      assertSubscribeSubject(subject);
      const subscriber = { pattern: subject, handler };
      foreignSubscribers.add(subscriber);
      return { unsubscribe: () => void foreignSubscribers.delete(subscriber) };
    },

    publishForeign(subject: string, payload: Uint8Array): void {
      if (closing) throw new Error(`cannot publish to ${subject}: the event bus is closed`);
      assertPublishSubject(subject);
      delivered = delivered.then(() => {
        for (const subscriber of foreignSubscribers) {
          if (!subjectMatches(subscriber.pattern, subject)) continue;
          try {
            subscriber.handler(Uint8Array.from(payload));
          } catch (error) {
            onDeliveryError(error, subject);
          }
        }
      });
    },

    close(): Promise<void> {
      closing ??= delivered.then(() => {
        subscribers.clear();
        foreignSubscribers.clear();
      });
      return closing;
    },
  };
}
