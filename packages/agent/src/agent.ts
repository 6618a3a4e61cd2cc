import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import * as grpc from "@grpc/grpc-js";
import { agentLinkService, type AgentLinkClient, type AgentMessage, type Assign__Output, type CoordinatorMessage__Output, type ResultAck__Output } from "@atelier/protocol";
import type { Logger } from "pino";
import { LeaseBook } from "./lease-book.ts";
import { DEFAULT_RECONNECT_BACKOFF, reconnectDelayMs } from "./reconnect-backoff.ts";
import type { AgentObserver } from "./metrics/index.ts";
import { ResultOutbox } from "./result-outbox.ts";
import { renderChunk } from "./render-chunk.ts";
import type { RenderJob } from "./render-protocol.ts";
import { uploadPng } from "./uploader.ts";
import { RenderFailed, type Renderer } from "./worker-renderer.ts";

export interface AgentOptions {
  /** host:port of a coordinator's gRPC endpoint; several, comma-separated, are tried in turn. */
  coordinator: string;
  /** Stable across restarts of this agent (host + GPU). */
  id: string;
  name: string;
  /** Shards run at once; one renderer each. */
  renderers: Renderer[];
  /** Model name -> folder, as announced to the coordinator. */
  models: string[];
  providers: string[];
  gpu: string;
  memoryBytes: number;
  maxWidth: number;
  maxHeight: number;
  version: string;
  log: Logger;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  uploadAttempts?: number;
  /** Told about every image rendered or failed (Prometheus metrics). */
  observer?: AgentObserver;
}

type Stream = grpc.ClientDuplexStream<AgentMessage, CoordinatorMessage__Output>;

interface RunningShard {
  shardId: string;
  epoch: number;
  renderer: Renderer;
  rendered: boolean;
  released: boolean;
}

// Messages of results awaiting acks before the next results wait for one, and
// the most results one message carries (a few tens of KiB).
const RESULT_WINDOW = 2;
const MAX_RESULTS_PER_MESSAGE = 256;

const CLIENT_OPTIONS: grpc.ChannelOptions = {
  "grpc.keepalive_time_ms": 20_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.keepalive_permit_without_calls": 1,
};

/**
 * An agent: one stream to a coordinator, shards rendered on its renderers,
 * images uploaded straight to the bucket, every item reported. Heartbeats run
 * on this thread's timers; inference runs in worker threads and cannot
 * delay them.
 */
export class Agent {
  private readonly addresses: string[];
  private readonly clients = new Map<string, AgentLinkClient>();
  private addressIndex = 0;
  private readonly leases = new LeaseBook();
  private readonly outbox = new ResultOutbox();
  private readonly idle: Renderer[];
  private readonly running = new Map<string, RunningShard>();
  private stream: Stream | undefined;
  private welcomed = false;
  /** The coordinator takes several results per message (ItemResults). */
  private resultBatches = false;
  private heartbeatMs = 10_000;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly fenceTimer: NodeJS.Timeout;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;
  private readonly sentBeats: { asked: { shardId: string; epoch: number }[]; sentAt: number; onAck?: () => void }[] = [];
  private draining = false;
  private stopping = false;
  private closing: Promise<void> | undefined;
  private readonly welcomeWaiters: (() => void)[] = [];

  constructor(private readonly options: AgentOptions) {
    this.addresses = options.coordinator.split(",").map((a) => a.trim()).filter(Boolean);
    this.idle = [...options.renderers];
    this.fenceTimer = setInterval(() => this.fence(), 250);
  }

  /** Connects; resolves once the coordinator has welcomed this agent. */
  start(): Promise<void> {
    this.connect();
    return new Promise((resolve) => (this.welcomed ? resolve() : this.welcomeWaiters.push(resolve)));
  }

  get activeShards(): number {
    return this.running.size;
  }

  /**
   * Graceful stop (SIGTERM): claim nothing more, hand back unfinished shards
   * (they cost no attempt), wait briefly for outstanding acks, disconnect.
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    this.announceSlots(); // free: 0, so the dispatcher hands out no more
    for (const shard of this.running.values()) {
      // A shard already rendered only waits for its acks; ShardDone follows them.
      if (shard.rendered) continue;
      shard.released = true;
      this.leases.drop(shard.shardId, "agent stopping");
    }
    const deadline = performance.now() + graceMs;
    while ((this.outbox.size > 0 || this.running.size > 0) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // A shard the coordinator leased before it read "free: 0" arrives before
    // the answer to this heartbeat, and onAssign hands it back; after the
    // answer none can come, so nothing is left to expire.
    await this.heartbeatRoundTrip(Math.max(100, deadline - performance.now()));
    await this.close();
  }

  private heartbeatRoundTrip(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      if (!this.heartbeat(() => {
        clearTimeout(timer);
        resolve();
      })) {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopping = true;
      // A closed agent renders and uploads nothing more: whatever it still held is the coordinator's to re-lease.
      for (const shardId of [...this.running.keys()]) this.leases.drop(shardId, "agent closed");
      clearInterval(this.fenceTimer);
      clearInterval(this.heartbeatTimer);
      clearTimeout(this.reconnectTimer);
      await this.hangUp();
      for (const client of this.clients.values()) client.close();
      await Promise.all(this.options.renderers.map((r) => r.close()));
    })();
    return this.closing;
  }

  /** Half-closes the stream and waits (briefly) for the coordinator to end it, so that final messages arrive. */
  private async hangUp(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    const ended = new Promise<void>((resolve) => {
      stream.once("status", () => resolve());
      stream.once("error", () => resolve());
    });
    stream.end();
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    stream.cancel();
  }

  private connect(): void {
    if (this.stopping) return;
    const stream = this.clientFor(this.addresses[this.addressIndex % this.addresses.length]!).Connect() as Stream;
    this.stream = stream;
    let gone = false;
    const lost = (reason: string) => {
      if (gone) return;
      gone = true;
      if (this.stream === stream) this.stream = undefined;
      this.welcomed = false;
      clearInterval(this.heartbeatTimer);
      this.sentBeats.length = 0;
      if (!this.stopping) {
        this.options.log.warn({ reason }, "coordinator stream lost; reconnecting");
        this.scheduleReconnect();
      }
    };
    stream.on("data", (message: CoordinatorMessage__Output) => this.onMessage(message));
    stream.on("error", (error) => lost(error.message));
    stream.on("end", () => lost("stream ended"));
    const { options } = this;
    this.send({
      hello: {
        agentId: options.id,
        name: options.name,
        gpu: options.gpu,
        memoryBytes: options.memoryBytes,
        providers: options.providers,
        models: options.models,
        slots: options.renderers.length,
        maxWidth: options.maxWidth,
        maxHeight: options.maxHeight,
        version: options.version,
      },
    });
  }

  private clientFor(address: string): AgentLinkClient {
    let client = this.clients.get(address);
    if (!client) {
      client = new (agentLinkService())(address, grpc.credentials.createInsecure(), CLIENT_OPTIONS) as unknown as AgentLinkClient;
      this.clients.set(address, client);
    }
    return client;
  }

  /** After a full-jitter backoff (no thundering herd after a coordinator restart); each attempt goes to the next coordinator. */
  private scheduleReconnect(): void {
    this.addressIndex++;
    const delayMs = reconnectDelayMs(this.reconnectAttempt++, {
      baseMs: this.options.reconnectBaseMs ?? DEFAULT_RECONNECT_BACKOFF.baseMs,
      maxMs: this.options.reconnectMaxMs ?? DEFAULT_RECONNECT_BACKOFF.maxMs,
    });
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
  }

  private send(message: AgentMessage): void {
    // Results go first, so that the coordinator sees them before a ShardDone or release that follows them.
    this.sendResults(Infinity);
    this.stream?.write(message);
  }

  /** Sends what the outbox's window allows; results wait for a welcome, after which all unacknowledged go again. */
  private sendResults(window = RESULT_WINDOW): void {
    if (!this.stream || !this.welcomed) return;
    if (!this.resultBatches) {
      for (const result of this.outbox.takeAll()) this.stream.write({ result });
      return;
    }
    for (let results = this.outbox.takeMessage({ window, maxResults: MAX_RESULTS_PER_MESSAGE }); results.length > 0;
      results = this.outbox.takeMessage({ window, maxResults: MAX_RESULTS_PER_MESSAGE })) {
      this.stream.write({ results: { results } });
    }
  }

  private onResultAck({ itemId, epoch, accepted, reason }: ResultAck__Output): void {
    if (!accepted) this.options.log.warn({ itemId, epoch, reason }, "result refused");
    const shardId = this.outbox.acknowledge(itemId, epoch);
    if (shardId) this.maybeFinish(shardId);
  }

  private onMessage(message: CoordinatorMessage__Output): void {
    if (message.welcome) {
      this.welcomed = true;
      this.reconnectAttempt = 0;
      this.heartbeatMs = message.welcome.heartbeatIntervalMs || this.heartbeatMs;
      this.resultBatches = message.welcome.resultBatches;
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = setInterval(() => this.heartbeat(), this.heartbeatMs);
      // Re-announce leases at once, then anything the last coordinator never acknowledged.
      this.heartbeat();
      if (this.outbox.size > 0) this.options.log.info({ results: this.outbox.size }, "sending unacknowledged results again");
      this.outbox.resendAll();
      this.sendResults();
      this.announceSlots();
      for (const resolve of this.welcomeWaiters.splice(0)) resolve();
      this.options.log.info({ coordinator: message.welcome.coordinatorId }, "connected to coordinator");
    } else if (message.assign) {
      this.onAssign(message.assign);
    } else if (message.heartbeatAck) {
      const beat = this.sentBeats.shift();
      if (beat) {
        const lost = this.leases.renewed(beat.asked, message.heartbeatAck.renewed, beat.sentAt);
        if (lost.length > 0) this.options.log.warn({ shards: lost }, "leases lost; stopped their work");
        beat.onAck?.();
      }
    } else if (message.resultAck) {
      this.onResultAck(message.resultAck);
    } else if (message.resultAcks) {
      this.outbox.messageAcknowledged();
      for (const ack of message.resultAcks.acks) this.onResultAck(ack);
      this.sendResults();
    } else if (message.cancel) {
      this.leases.drop(message.cancel.shardId, `cancelled: ${message.cancel.reason}`);
    } else if (message.drain) {
      this.draining = message.drain.drain;
      this.options.log.info({ draining: this.draining }, "drain changed");
      this.announceSlots();
    }
  }

  /** Sends a heartbeat unless disconnected; `onAck` runs when the coordinator answers it. */
  private heartbeat(onAck?: () => void): boolean {
    if (!this.stream || !this.welcomed) return false;
    const asked = this.leases.list();
    this.sentBeats.push({ asked, sentAt: performance.now(), onAck });
    this.send({ heartbeat: { leases: asked } });
    return true;
  }

  private fence(): void {
    const fenced = this.leases.fenceExpired();
    if (fenced.length > 0) this.options.log.warn({ shards: fenced }, "self-fenced: no lease renewal in time");
  }

  private announceSlots(): void {
    const free = this.draining || this.stopping ? 0 : this.idle.length;
    this.send({ slots: { free } });
  }

  private onAssign(assign: Assign__Output): void {
    const renderer = this.idle.pop();
    if (!renderer || this.stopping) {
      // Not ours to run (a race with drain or stop): hand it straight back.
      if (renderer) this.idle.push(renderer);
      this.send({ released: { shardId: assign.shardId, epoch: assign.epoch, reason: "agent has no free slot" } });
      return;
    }
    const signal = this.leases.hold(assign.shardId, assign.epoch, assign.leaseTtlMs);
    const shard: RunningShard = { shardId: assign.shardId, epoch: assign.epoch, renderer, rendered: false, released: false };
    this.running.set(assign.shardId, shard);
    void this.runShard(assign, shard, signal);
  }

  private async runShard(assign: Assign__Output, shard: RunningShard, signal: AbortSignal): Promise<void> {
    const settings = assign.settings!;
    const log = this.options.log.child({ shardId: assign.shardId, epoch: assign.epoch });
    log.debug({ items: assign.items.length }, "shard started");
    const job = (item: Assign__Output["items"][number]): RenderJob => ({
      model: settings.model, prompt: item.prompt, negativePrompt: item.negativePrompt, seed: item.seed, width: settings.width,
      height: settings.height, steps: settings.steps, guidance: settings.guidance, sampler: settings.sampler,
    });
    // A batching renderer takes a run of items at once (they share UNet calls); each is uploaded and reported on its own.
    const perRequest = Math.max(1, shard.renderer.batchItems ?? 1);
    for (let start = 0; start < assign.items.length && !signal.aborted; start += perRequest) {
      const run = assign.items.slice(start, start + perRequest);
      const started = performance.now();
      const outcomes = await renderChunk(shard.renderer, run.map(job), signal);
      const renderMs = (performance.now() - started) / run.length;
      for (const [k, item] of run.entries()) {
        if (signal.aborted) break;
        const uploadStarted = performance.now();
        try {
          const rendered = outcomes[k]!;
          if (rendered instanceof Error) throw rendered;
          await uploadPng(item.uploadUrl, rendered.png, { attempts: this.options.uploadAttempts ?? 5, baseDelayMs: 200, signal });
          this.options.observer?.rendered({ steps: settings.steps, inferenceMs: rendered.inferenceMs, uploadMs: performance.now() - uploadStarted });
          this.report({
            shardId: assign.shardId,
            epoch: assign.epoch,
            itemId: item.itemId,
            key: item.key,
            sha256: createHash("sha256").update(rendered.png).digest("hex"),
            md5: createHash("md5").update(rendered.png).digest("hex"),
            bytes: rendered.png.byteLength,
            width: rendered.width,
            height: rendered.height,
            renderMs: Math.round(renderMs + performance.now() - uploadStarted),
            modelLoadMs: Math.round(rendered.loadMs ?? 0),
          });
        } catch (error) {
          if (signal.aborted) break;
          const err = error as Error;
          const retryable = err instanceof RenderFailed ? err.retryable : (err as { retryable?: boolean }).retryable ?? true;
          log.warn({ itemId: item.itemId, err: err.message }, "item failed");
          this.options.observer?.failed(retryable);
          this.report({ shardId: assign.shardId, epoch: assign.epoch, itemId: item.itemId, error: err.message, retryable });
        }
      }
    }
    shard.rendered = true;
    this.idle.push(shard.renderer);
    if (shard.released) {
      this.running.delete(shard.shardId);
      this.send({ released: { shardId: shard.shardId, epoch: shard.epoch, reason: "agent stopping" } });
    } else if (signal.aborted) {
      // Lease lost or batch cancelled: the coordinator has already settled this shard.
      this.running.delete(shard.shardId);
    } else {
      this.maybeFinish(shard.shardId);
    }
    this.announceSlots();
  }

  private report(result: Parameters<ResultOutbox["add"]>[0]): void {
    this.outbox.add(result);
    this.sendResults();
  }

  /** A shard is done once it rendered and every result was acknowledged. */
  private maybeFinish(shardId: string): void {
    const shard = this.running.get(shardId);
    if (!shard || !shard.rendered || shard.released || this.outbox.pendingFor(shardId) > 0) return;
    if (!this.leases.isLive(shardId)) {
      this.running.delete(shardId);
      return;
    }
    this.running.delete(shardId);
    this.leases.drop(shardId, "shard done");
    this.send({ shardDone: { shardId, epoch: shard.epoch } });
  }
}
