import * as grpc from "@grpc/grpc-js";
import { agentLinkService, clientChannel, type AgentLinkClient, type AgentMessage, type ClientSecurity, type CoordinatorMessage__Output } from "@atelier/protocol";
import { backoffDelayMs, type Backoff, type Logger } from "@atelier/common";

/** 1 s doubling to 60 s: the agents of a restarted coordinator come back spread out, not as one herd. */
export const DEFAULT_RECONNECT_BACKOFF: Backoff = { baseMs: 1_000, maxMs: 60_000 };

export interface CoordinatorLinkOptions {
  /** host:port of a coordinator's gRPC endpoint; several, comma-separated, are tried in turn. */
  coordinator: string;
  /** The agent's enrolled credential and TLS settings. */
  security?: ClientSecurity;
  log: Logger;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** The first message on every new stream (the agent's hello). */
  hello(): AgentMessage;
  onMessage(message: CoordinatorMessage__Output): void;
  /** The stream failed or ended. Unless the link was told to stay down, it reconnects after a backoff. */
  onLost(reason: string): void;
}

type Stream = grpc.ClientDuplexStream<AgentMessage, CoordinatorMessage__Output>;

const CLIENT_OPTIONS: grpc.ChannelOptions = {
  "grpc.keepalive_time_ms": 20_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.keepalive_permit_without_calls": 1,
  // Each channel its own subchannels: from grpc-js's process-wide pool a new channel would take over a
  // closed one's connection, backoff state included, and the "fresh channel" below would not be fresh.
  "grpc.use_local_subchannel_pool": 1,
};

/**
 * The agent's one stream to a coordinator: opened on `open()`, opened again
 * after a full-jitter backoff whenever it breaks (no thundering herd after a
 * coordinator restart), each attempt to the next address. Knows nothing of
 * what travels on it.
 */
export class CoordinatorLink {
  private readonly addresses: string[];
  private readonly clients = new Map<string, AgentLinkClient>();
  private addressIndex = 0;
  private stream: Stream | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;
  private down = false;

  constructor(private readonly options: CoordinatorLinkOptions) {
    this.addresses = options.coordinator.split(",").map((a) => a.trim()).filter(Boolean);
  }

  /** A stream exists (it may still be connecting). */
  get isOpen(): boolean {
    return this.stream !== undefined;
  }

  open(): void {
    if (this.down) return;
    const address = this.addresses[this.addressIndex % this.addresses.length]!;
    const client = this.clientFor(address);
    const stream = client.Connect() as Stream;
    this.stream = stream;
    let gone = false;
    const lost = (reason: string) => {
      if (gone) return;
      gone = true;
      if (this.stream === stream) this.stream = undefined;
      // A channel whose connection failed waits out grpc-js's own backoff (1 s, growing 1.6x to 2 min) and
      // fails new calls at once meanwhile: after a network cut an agent stayed away for tens of seconds
      // after the network healed. The next attempt gets a fresh channel; the jittered backoff below is the
      // only one.
      if (this.clients.get(address) === client) this.clients.delete(address);
      client.close();
      this.options.onLost(reason);
      if (!this.down) {
        this.options.log.warn({ reason }, "coordinator stream lost; reconnecting");
        this.scheduleReconnect();
      }
    };
    stream.on("data", (message: CoordinatorMessage__Output) => this.options.onMessage(message));
    stream.on("error", (error) => lost(error.message));
    stream.on("end", () => lost("stream ended"));
    stream.write(this.options.hello());
  }

  /** The coordinator accepted this stream: the next loss starts the backoff from its beginning. */
  established(): void {
    this.reconnectAttempt = 0;
  }

  /** Writes on the current stream; false when there is none. */
  write(message: AgentMessage): boolean {
    if (!this.stream) return false;
    this.stream.write(message);
    return true;
  }

  /** Keeps the current stream, but opens no new one (the agent is stopping). */
  stayDown(): void {
    this.down = true;
    clearTimeout(this.reconnectTimer);
  }

  /**
   * Half-closes the stream and waits up to `waitMs` for the coordinator to
   * end it, so that final messages arrive; then cancels it and closes every
   * channel. Opens nothing afterwards.
   */
  async close(waitMs: number): Promise<void> {
    this.stayDown();
    const stream = this.stream;
    if (stream) {
      const ended = new Promise<void>((resolve) => {
        stream.once("status", () => resolve());
        stream.once("error", () => resolve());
      });
      stream.end();
      if (waitMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([ended, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
        clearTimeout(timer);
      }
      stream.cancel();
    }
    for (const client of this.clients.values()) client.close();
  }

  private clientFor(address: string): AgentLinkClient {
    let client = this.clients.get(address);
    if (!client) {
      const channel = clientChannel(this.options.security ?? {});
      client = new (agentLinkService())(address, channel.credentials, { ...CLIENT_OPTIONS, ...channel.options }) as unknown as AgentLinkClient;
      this.clients.set(address, client);
    }
    return client;
  }

  private scheduleReconnect(): void {
    this.addressIndex++;
    const delayMs = backoffDelayMs(this.reconnectAttempt++, {
      baseMs: this.options.reconnectBaseMs ?? DEFAULT_RECONNECT_BACKOFF.baseMs,
      maxMs: this.options.reconnectMaxMs ?? DEFAULT_RECONNECT_BACKOFF.maxMs,
    });
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.open(), delayMs);
  }
}
