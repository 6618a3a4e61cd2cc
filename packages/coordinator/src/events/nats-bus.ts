import { randomUUID } from "node:crypto";
import { redactUrl } from "@atelier/common";
import { connect, credsAuthenticator, Events, JSONCodec, type ConnectionOptions, type NatsConnection } from "nats";
import {
  defaultDeliveryError,
  type EventBus,
  type EventBusOptions,
  type EventSubscription,
  type FarmEvent,
  type PublishOptions,
} from "./event-bus.ts";
import { createReconnectBuffer } from "./reconnect-buffer.ts";
import { assertPublishSubject, assertSubscribeSubject } from "./subject-match.ts";

export interface NatsBusOptions extends EventBusOptions {
  /** Comma-separated NATS URLs, e.g. "nats://127.0.0.1:4222". */
  servers: string;
  /** Prepended to every subject ("<prefix>.<subject>"), e.g. to isolate tests. Default "". */
  prefix?: string;
  /** Client name shown by the NATS server's monitoring. */
  name?: string;
  /** How long the first connection may take before connectNatsBus rejects. Default 5000. */
  connectTimeoutMs?: number;
  /** How long close() waits for the drain before it drops the connection. Default 5000. */
  closeTimeoutMs?: number;
  /** Payload bytes held while NATS is unreachable; past it the oldest are dropped. Default 8 MiB. */
  reconnectBufferBytes?: number;
  /** How the coordinator proves itself to NATS: at most one of a creds file's content (JWT + NKey seed), a token, or a user and password. */
  auth?: { credentials: string } | { token: string } | { user: string; password: string };
  /** PEM CA to verify the NATS servers' TLS certificates; TLS is also used when a server URL is tls://. */
  tlsCa?: string;
}

/** The wire form; the subject travels as the NATS subject. */
type WireEvent = Omit<FarmEvent, "subject">;

const codec = JSONCodec<WireEvent>();

/**
 * An event bus over NATS core (no JetStream: events are notifications fed
 * from the Postgres outbox, which is what replays them). The first connection
 * must succeed, so a wrong address fails at startup; after that the client
 * reconnects forever and publishes are buffered here meanwhile, so NATS being
 * down never crashes or blocks the coordinator.
 *
 * Delivery is at most once: what was in the socket when the connection broke
 * is lost, as with every core NATS client.
 */
export async function connectNatsBus(options: NatsBusOptions): Promise<EventBus> {
  const prefix = options.prefix ?? "";
  if (prefix !== "") assertPublishSubject(prefix);
  const onDeliveryError = options.onDeliveryError ?? defaultDeliveryError;
  const closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
  const servers = options.servers.split(",").map((server) => server.trim());

  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      ...(options.name === undefined ? {} : { name: options.name }),
      timeout: options.connectTimeoutMs ?? 5_000,
      maxReconnectAttempts: -1,
      ...natsAuth(options),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // The URL may carry a password: the message names the server without it.
    throw new Error(`cannot connect to NATS at ${redactUrl(options.servers)} (${reason}): is nats-server running there?`, {
      cause: error,
    });
  }

  const toWire = (subject: string) => (prefix === "" ? subject : `${prefix}.${subject}`);
  const fromWire = (subject: string) => (prefix === "" ? subject : subject.slice(prefix.length + 1));

  // nats.js 2.x discards its outbound buffer on every reconnect attempt, so
  // publishes made while disconnected would vanish without this buffer.
  let connected = true;
  const pending = createReconnectBuffer(options.reconnectBufferBytes ?? 8 * 1024 * 1024, (dropped) =>
    onDeliveryError(new Error("NATS unreachable and reconnect buffer full: dropped the oldest event"), fromWire(dropped.subject)),
  );
  function send(subject: string, payload: Uint8Array): void {
    try {
      nc.publish(subject, payload);
    } catch (error) {
      onDeliveryError(error, fromWire(subject));
    }
  }
  async function watchConnection(): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) connected = false;
      if (status.type === Events.Reconnect) {
        // Subscriptions are already re-sent, so our own subscribers get
        // these too. Flip the flag only after draining, to keep order.
        pending.drain((each) => send(each.subject, each.payload));
        connected = true;
      }
    }
  }
  void watchConnection();

  let closing: Promise<void> | undefined;

  async function drainThenClose(): Promise<void> {
    // drain() flushes, and a flush waits for a reconnect that may never
    // come: bound it, then drop whatever is still buffered.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, closeTimeoutMs);
    });
    try {
      await Promise.race([nc.drain(), timedOut]);
    } finally {
      clearTimeout(timer);
      if (!nc.isClosed()) await nc.close();
    }
  }

  return {
    async publish(subject: string, data: unknown, publish: PublishOptions = {}): Promise<void> {
      if (closing) throw new Error(`cannot publish to ${subject}: the event bus is closed`);
      assertPublishSubject(subject);
      const payload = codec.encode({ id: publish.id ?? randomUUID(), at: publish.at ?? Date.now(), data });
      if (connected) nc.publish(toWire(subject), payload);
      else pending.push({ subject: toWire(subject), payload });
    },

    subscribe(subject: string, handler: (event: FarmEvent) => void): EventSubscription {
      if (closing) throw new Error(`cannot subscribe to ${subject}: the event bus is closed`);
      assertSubscribeSubject(subject);
      const subscription = nc.subscribe(toWire(subject), {
        callback: (error, message) => {
          // Nothing may escape: a throw here would unwind into the client's
          // protocol parser and break the connection for every subscriber.
          try {
            if (error) throw error;
            const wire = codec.decode(message.data);
            if (typeof wire?.id !== "string" || typeof wire.at !== "number") {
              throw new Error("message is not a FarmEvent (missing id or at)");
            }
            handler({ id: wire.id, subject: fromWire(message.subject), at: wire.at, data: wire.data });
          } catch (failure) {
            onDeliveryError(failure, fromWire(message?.subject ?? toWire(subject)));
          }
        },
      });
      return { unsubscribe: () => subscription.unsubscribe() };
    },

    subscribeForeign(subject: string, handler: (payload: Uint8Array) => void): EventSubscription {
      if (closing) throw new Error(`cannot subscribe to ${subject}: the event bus is closed`);
      assertSubscribeSubject(subject);
      const subscription = nc.subscribe(subject, {
        callback: (error, message) => {
          try {
            if (error) throw error;
            handler(message.data);
          } catch (failure) {
            onDeliveryError(failure, subject);
          }
        },
      });
      return { unsubscribe: () => subscription.unsubscribe() };
    },

    publishForeign(subject: string, payload: Uint8Array): void {
      if (closing) throw new Error(`cannot publish to ${subject}: the event bus is closed`);
      assertPublishSubject(subject);
      if (connected) send(subject, payload);
      else pending.push({ subject, payload });
    },

    close(): Promise<void> {
      closing ??= drainThenClose();
      return closing;
    },
  };
}

function natsAuth(options: NatsBusOptions): Partial<ConnectionOptions> {
  const { auth, tlsCa } = options;
  const tls = tlsCa === undefined ? {} : { tls: { ca: tlsCa } };
  if (!auth) return tls;
  if ("credentials" in auth) return { ...tls, authenticator: credsAuthenticator(new TextEncoder().encode(auth.credentials)) };
  if ("token" in auth) return { ...tls, token: auth.token };
  return { ...tls, user: auth.user, pass: auth.password };
}
