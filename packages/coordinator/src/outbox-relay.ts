import { outboxStore, type Database } from "@atelier/db";
import type { EventBus } from "./events/index.ts";
import type { Logger } from "@atelier/common";

const CLAIM_LIMIT = 200;

/**
 * Moves notifications from the Postgres outbox to the event bus, so that
 * every coordinator hears about new work, cancellations and drains decided
 * by another. Each event keeps its outbox id, so consumers can drop repeats.
 * Runs on a timer and whenever this coordinator has just written one.
 */
export function startOutboxRelay(deps: { db: Database; bus: EventBus; log: Logger; intervalMs: number }) {
  let running = false;
  let again = false;
  let closed = false;
  const relay = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const events = await outboxStore.claim(deps.db, CLAIM_LIMIT);
        for (const event of events) await deps.bus.publish(event.subject, event.payload, { id: `outbox-${event.id}` });
        if (events.length === CLAIM_LIMIT) again = true;
      } while (again && !closed);
    } catch (error) {
      deps.log.error({ err: error }, "outbox relay failed");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void relay(), deps.intervalMs);
  timer.unref();
  return {
    /** Relay now: this coordinator just wrote an event. */
    kick: () => void relay(),
    close: () => {
      closed = true;
      clearInterval(timer);
    },
  };
}

export type OutboxRelay = ReturnType<typeof startOutboxRelay>;
