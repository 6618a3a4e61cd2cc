import type { AgentMessage, Assign__Output, ClientSecurity, CoordinatorMessage__Output, ItemResult, ResultAck__Output } from "@atelier/protocol";
import type { Logger } from "@atelier/common";
import { systemClock, type Clock } from "./clock.ts";
import { CoordinatorLink } from "./coordinator-link.ts";
import { LeaseBook } from "./lease-book.ts";
import type { AgentObserver } from "./metrics/index.ts";
import { renderShard } from "./render-shard.ts";
import { ResultOutbox } from "./result-outbox.ts";
import type { Renderer } from "./worker-renderer.ts";

export interface AgentOptions {
  /** host:port of a coordinator's gRPC endpoint; several, comma-separated, are tried in turn. */
  coordinator: string;
  /** The enrolled credential (which names the agent to the coordinator) and TLS settings. */
  security?: ClientSecurity;
  /** The id the agent's credential was enrolled under; empty lets the credential say. */
  id: string;
  name: string;
  /** Shards run at once; one renderer each. */
  renderers: Renderer[];
  /** Model names, as announced to the coordinator. */
  models: string[];
  /** Per model, its architecture (detectModelArchitecture); announced so that items needing one reach only agents that have it. */
  modelInfo?: { name: string; architecture: string }[];
  /** Upscaler models, announced for hires fix and upscale items. */
  upscalers?: string[];
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
  /** The most extra UNet time measuring keywords may cost an image, as a share of its own denoising. */
  attributionMaxOverhead?: number;
  /** Told about every image rendered or failed (Prometheus metrics). */
  observer?: AgentObserver;
  /** Where the agent reads time. Default: the host's clocks. */
  clock?: Clock;
}

interface RunningShard {
  shardId: string;
  epoch: number;
  renderer: Renderer;
  /** Every image is rendered and its renderer given back: uploads and results may still be under way. */
  finishing: boolean;
  /** Rendered, uploaded and reported: only acks remain. */
  rendered: boolean;
  released: boolean;
}

// Messages of results awaiting acks before the next results wait for one, and
// the most results one message carries (a few tens of KiB).
const RESULT_WINDOW = 2;
const MAX_RESULTS_PER_MESSAGE = 256;

// A coordinator that leaves a heartbeat unanswered this long past the
// moment it could answer is treated as gone by a stopping agent, which then
// waits for nothing more from it. A live coordinator answers heartbeats on
// connections kept apart for them, in milliseconds, but takes at most one per
// quarter of the heartbeat interval from each agent (agent-caps.ts): a beat
// sent sooner after the last one waits that long. This bounds how long
// SIGTERM takes when the coordinator is frozen or cut off (the shards the
// agent held then expire on their TTL).
const STOP_SILENCE_MS = 1_000;
// How long close() waits for a live coordinator to end the stream after the
// agent half-closed it, so that the agent's last messages arrive.
const HANG_UP_WAIT_MS = 2_000;

/**
 * An agent: one stream to a coordinator, shards rendered on its renderers,
 * images uploaded straight to the bucket, every item reported. Heartbeats run
 * on this thread's timers; inference runs in worker threads and cannot
 * delay them.
 */
export class Agent {
  private readonly link: CoordinatorLink;
  private readonly clock: Clock;
  private readonly leases: LeaseBook;
  private readonly outbox = new ResultOutbox();
  private readonly idle: Renderer[];
  private readonly running = new Map<string, RunningShard>();
  private welcomed = false;
  /** The coordinator takes several results per message (ItemResults). */
  private heartbeatMs = 10_000;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly fenceTimer: NodeJS.Timeout;
  /** Heartbeats awaiting their answers, in order; `answerableAt`: when the coordinator's rate limit lets it answer. */
  private readonly sentBeats: { asked: { shardId: string; epoch: number }[]; sentAt: number; answerableAt: number; onAck?: () => void }[] = [];
  private lastBeatAt = -Infinity;
  private draining = false;
  private stopping = false;
  private closing: Promise<void> | undefined;
  private readonly welcomeWaiters: (() => void)[] = [];

  constructor(private readonly options: AgentOptions) {
    this.clock = options.clock ?? systemClock;
    this.leases = new LeaseBook(() => this.clock.monotonicMs());
    this.idle = [...options.renderers];
    this.fenceTimer = setInterval(() => this.fence(), 250);
    this.link = new CoordinatorLink({
      coordinator: options.coordinator,
      security: options.security,
      log: options.log,
      reconnectBaseMs: options.reconnectBaseMs,
      reconnectMaxMs: options.reconnectMaxMs,
      hello: () => ({
        hello: {
          agentId: options.id,
          name: options.name,
          gpu: options.gpu,
          memoryBytes: options.memoryBytes,
          providers: options.providers,
          models: options.models,
          modelInfo: options.modelInfo ?? [],
          upscalers: options.upscalers ?? [],
          slots: options.renderers.length,
          maxWidth: options.maxWidth,
          maxHeight: options.maxHeight,
          version: options.version,
        },
      }),
      onMessage: (message) => this.onMessage(message),
      onLost: () => {
        this.welcomed = false;
        clearInterval(this.heartbeatTimer);
        this.sentBeats.length = 0;
      },
    });
  }

  /** Connects; resolves once the coordinator has welcomed this agent. */
  start(): Promise<void> {
    this.link.open();
    return new Promise((resolve) => (this.welcomed ? resolve() : this.welcomeWaiters.push(resolve)));
  }

  get activeShards(): number {
    return this.running.size;
  }

  /**
   * Graceful stop (SIGTERM): claim nothing more, hand back unfinished shards
   * (they cost no attempt), wait up to `graceMs` for outstanding acks,
   * disconnect. A coordinator that is gone or has stopped answering is not
   * waited for (STOP_SILENCE_MS).
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    this.link.stayDown();
    this.announceSlots(); // free: 0, so the dispatcher hands out no more
    for (const shard of this.running.values()) {
      // A shard whose images are all rendered only waits for its uploads and acks; ShardDone follows them.
      if (shard.finishing || shard.rendered) continue;
      shard.released = true;
      this.leases.drop(shard.shardId, "agent stopping");
    }
    // One heartbeat, after "free: 0": a shard the coordinator leased before it read that arrives before
    // the answer, and onAssign hands it back; after the answer none can come, so nothing is left to
    // expire. Its answer also renews what is left, and shows whether the coordinator still answers.
    let fenced = !this.heartbeat(() => (fenced = true));
    const deadline = this.clock.monotonicMs() + graceMs;
    while ((this.outbox.size > 0 || this.running.size > 0 || !fenced) && this.clock.monotonicMs() < deadline && this.coordinatorAnswers()) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.close();
  }

  /** Welcomed on a stream, and no heartbeat on it left unanswered for STOP_SILENCE_MS past when it could be answered. */
  private coordinatorAnswers(): boolean {
    const oldest = this.sentBeats[0];
    return this.link.isOpen && this.welcomed && (!oldest || this.clock.monotonicMs() - oldest.answerableAt < STOP_SILENCE_MS);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopping = true;
      // A closed agent renders and uploads nothing more: whatever it still held is the coordinator's to re-lease.
      for (const shardId of [...this.running.keys()]) this.leases.drop(shardId, "agent closed");
      clearInterval(this.fenceTimer);
      clearInterval(this.heartbeatTimer);
      // Final messages are worth waiting for only while someone answers.
      await this.link.close(this.coordinatorAnswers() ? HANG_UP_WAIT_MS : 0);
      await Promise.all(this.options.renderers.map((r) => r.close()));
    })();
    return this.closing;
  }

  private send(message: AgentMessage): void {
    // Results go first, so that the coordinator sees them before a ShardDone or release that follows them.
    this.sendResults(Infinity);
    this.link.write(message);
  }

  /** Sends what the outbox's window allows; results wait for a welcome, after which all unacknowledged go again. */
  private sendResults(window = RESULT_WINDOW): void {
    if (!this.link.isOpen || !this.welcomed) return;
    for (let results = this.outbox.takeMessage({ window, maxResults: MAX_RESULTS_PER_MESSAGE }); results.length > 0;
      results = this.outbox.takeMessage({ window, maxResults: MAX_RESULTS_PER_MESSAGE })) {
      this.link.write({ results: { results } });
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
      this.link.established();
      this.heartbeatMs = message.welcome.heartbeatIntervalMs || this.heartbeatMs;
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
    if (!this.link.isOpen || !this.welcomed) return false;
    const asked = this.leases.list();
    const sentAt = this.clock.monotonicMs();
    this.sentBeats.push({ asked, sentAt, answerableAt: Math.max(sentAt, this.lastBeatAt + this.heartbeatMs / 4), onAck });
    this.lastBeatAt = sentAt;
    this.send({ heartbeat: { leases: asked } });
    return true;
  }

  private fence(): void {
    const fenced = this.leases.fenceExpired();
    if (fenced.length > 0) this.options.log.warn({ shards: fenced }, "self-fenced: no lease renewal in time");
  }

  private announceSlots(): void {
    const free = this.draining || this.stopping ? 0 : this.idle.length;
    const finishing = [...this.running.values()].filter((shard) => shard.finishing && !shard.released).map((shard) => shard.shardId);
    this.send({ slots: { free, finishing } });
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
    const shard: RunningShard = { shardId: assign.shardId, epoch: assign.epoch, renderer, finishing: false, rendered: false, released: false };
    this.running.set(assign.shardId, shard);
    void this.runShard(assign, shard, signal);
  }

  private async runShard(assign: Assign__Output, shard: RunningShard, signal: AbortSignal): Promise<void> {
    // The renderer takes the next shard as soon as it has rendered this one's
    // last image, while the last uploads and acks are still under way: an
    // agent announcing its slot only after the acks left its renderer idle
    // for a round trip to the store and one to the coordinator per shard.
    const giveBackRenderer = () => {
      if (shard.finishing) return;
      shard.finishing = true;
      this.idle.push(shard.renderer);
      this.announceSlots();
    };
    await renderShard(assign, {
      renderer: shard.renderer,
      signal,
      log: this.options.log,
      clock: this.clock,
      uploadAttempts: this.options.uploadAttempts ?? 5,
      ...(this.options.attributionMaxOverhead !== undefined ? { attributionMaxOverhead: this.options.attributionMaxOverhead } : {}),
      observer: this.options.observer,
      report: (result) => this.report(result),
      onRendered: giveBackRenderer,
    });
    shard.rendered = true;
    if (shard.released) {
      this.running.delete(shard.shardId);
      this.send({ released: { shardId: shard.shardId, epoch: shard.epoch, reason: "agent stopping" } });
    } else if (signal.aborted) {
      // Lease lost or batch cancelled: the coordinator has already settled this shard.
      this.running.delete(shard.shardId);
    } else {
      this.maybeFinish(shard.shardId);
    }
    // A shard cut short, or with no items, never got to a last image.
    giveBackRenderer();
  }

  private report(result: ItemResult): void {
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
