import { backoffDelayMs, type Backoff, type Logger } from "@atelier/common";
import { webhookStore, type ClaimedDelivery, type Database } from "@atelier/db";
import { repeatingPass } from "../repeating-pass.ts";
import { pinnedPost } from "./pinned-post.ts";
import type { WebhookAddressPolicy } from "./webhook-address-policy.ts";
import { webhookHeaders } from "./webhook-signature.ts";

export interface WebhookDeliveryOptions {
  db: Database;
  log: Logger;
  /** How often due deliveries are looked for (and batch events recorded). */
  pollMs: number;
  /** A receiver that has not answered within this fails the attempt. */
  timeoutMs: number;
  /** Waits between the attempts of one delivery (the house's full-jitter backoff). */
  backoff: Backoff;
  /** An event not accepted within this of its creation is given up (24 h by default). */
  retryForMs: number;
  /** Deliveries attempted at once by this coordinator. */
  concurrency: number;
  /** Which addresses receivers may have; the same policy refuses URLs at registration. */
  addresses: WebhookAddressPolicy;
}

/**
 * Delivers webhook events from Postgres: records the batch events the batch
 * table holds, claims due deliveries under a lease (any number of
 * coordinators share the rows), POSTs each signed per Standard Webhooks and
 * records the answer. A 2xx accepts the delivery; anything else, or no
 * answer within timeoutMs, schedules the next attempt after the backoff. A
 * coordinator killed mid-attempt leaves the row leased until the lease (the
 * timeout and a margin) runs out, then any coordinator tries again with the
 * same webhook-id: receivers get each event at least once, and drop repeats
 * by webhook-id; the row is marked delivered once.
 *
 * Before each attempt the receiver's host is resolved and every address
 * checked against the address policy; the attempt connects only to the
 * addresses checked. A refused address fails the delivery at once, with the
 * reason in the delivery log: retrying would ask the same policy again.
 */
export function startWebhookDelivery(options: WebhookDeliveryOptions) {
  const { db, log } = options;
  const leaseMs = options.timeoutMs + 5_000;
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();

  const attempt = async (delivery: ClaimedDelivery) => {
    const body = JSON.stringify(delivery.payload);
    const timestampSec = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error = "";
    let refused = false;
    const timeout = AbortSignal.timeout(options.timeoutMs);
    try {
      const url = new URL(delivery.url);
      const destination = await options.addresses.destination(url);
      if ("refused" in destination) {
        refused = true;
        error = `refused: ${destination.refused}`;
      } else {
        status = await pinnedPost(url, destination.addresses, webhookHeaders(delivery.secrets, delivery.msgId, timestampSec, body), body, AbortSignal.any([timeout, stopping.signal]));
        if (status >= 200 && status < 300) {
          if (!(await webhookStore.markDelivered(db, delivery.id, delivery.attempt, status))) log.warn({ deliveryId: delivery.id }, "webhook accepted after its lease ran out");
          return;
        }
        error = `HTTP ${status}`;
      }
    } catch (cause) {
      // Stopped mid-attempt: the row stays leased and is tried again once the lease runs out.
      if (stopping.signal.aborted) return;
      error = timeout.aborted ? `no answer within ${options.timeoutMs} ms` : (cause as Error).message;
    }
    const retryInMs = backoffDelayMs(delivery.attempt - 1, options.backoff);
    // A refused address fails the delivery now (retrying for 0 ms): a retry would put the same question to the same policy.
    const retryForMs = refused ? 0 : options.retryForMs;
    const state = await webhookStore.markFailed(db, delivery.id, delivery.attempt, { status, error, retryInMs, retryForMs });
    if (state === "failed") log.warn({ deliveryId: delivery.id, msgId: delivery.msgId, attempts: delivery.attempt, error }, "webhook delivery given up");
  };

  const passes = repeatingPass({
    intervalMs: options.pollMs,
    log,
    what: "webhook delivery pass",
    round: async () => {
      await webhookStore.recordBatchEvents(db, options.retryForMs);
      const free = options.concurrency - inFlight.size;
      if (free <= 0) return false;
      const claimed = await webhookStore.claimDue(db, free, leaseMs);
      for (const delivery of claimed) {
        const done: Promise<void> = attempt(delivery)
          .catch((error: unknown) => log.error({ err: error, deliveryId: delivery.id }, "webhook attempt failed to record"))
          .finally(() => {
            inFlight.delete(done);
            // A slot came free: look for the next due delivery.
            passes.kick();
          });
        inFlight.add(done);
      }
      return claimed.length === free;
    },
  });
  passes.kick();
  return {
    /** Look now: an event was just recorded. */
    kick: passes.kick,
    /** Stops claiming, cuts the attempts in flight short and waits for them. */
    async close() {
      passes.stop();
      stopping.abort();
      await Promise.all(inFlight);
    },
  };
}

export type WebhookDelivery = ReturnType<typeof startWebhookDelivery>;
