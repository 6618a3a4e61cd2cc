import { outboxStore, type Database } from "@atelier/db";
import type { EventBus } from "./events/index.ts";
import type { Logger } from "@atelier/common";
import { repeatingPass } from "./repeating-pass.ts";

const CLAIM_LIMIT = 200;

/**
 * Moves notifications from the Postgres outbox to the event bus, so that
 * every coordinator hears about new work, cancellations and drains decided
 * by another. Each event keeps its outbox id, so consumers can drop repeats.
 * Runs on a timer and whenever this coordinator has just written one.
 */
export function startOutboxRelay(deps: { db: Database; bus: EventBus; log: Logger; intervalMs: number }) {
  const relay = repeatingPass({
    intervalMs: deps.intervalMs,
    log: deps.log,
    what: "outbox relay",
    round: async () => {
      const events = await outboxStore.claim(deps.db, CLAIM_LIMIT);
      for (const event of events) await deps.bus.publish(event.subject, event.payload, { id: `outbox-${event.id}` });
      return events.length === CLAIM_LIMIT;
    },
  });
  return {
    /** Relay now: this coordinator just wrote an event. */
    kick: relay.kick,
    close: relay.stop,
  };
}

export type OutboxRelay = ReturnType<typeof startOutboxRelay>;
