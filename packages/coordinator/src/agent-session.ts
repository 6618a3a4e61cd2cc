import type * as grpc from "@grpc/grpc-js";
import type { AgentHello } from "@atelier/db";
import type { AgentMessage__Output, CoordinatorMessage } from "@atelier/protocol";
import { LoadTimeEstimate, RateEstimate } from "./shard-planner.ts";

/** What the coordinator keeps about one shard it handed to a connected agent. */
export interface LiveShard {
  epoch: number;
  batchId: string;
  /** The object key signed for each item: a result naming another key is refused. */
  keys: Map<string, string>;
  /** When the lease ends unless renewed; a shard past it no longer counts against the agent's slots. */
  expiresAtMs: number;
  /** The size every item of the shard must come out at. */
  width: number;
  height: number;
  /** Its model differs from the agent's previous shard's: its first result tells what the switch cost. */
  switchesModel: boolean;
  /** The agent said every image of it is rendered (Slots.finishing): it holds no slot while its uploads and results end. */
  finishing: boolean;
}

/**
 * Live leases an agent may hold per slot: the shard its renderer works on
 * and one finishing. Past that its results lag (the coordinator or the
 * store is the slower side), and it gets no more until they catch up.
 */
export const LEASES_PER_SLOT = 2;

/**
 * One connected agent as this coordinator sees it: its stream, its free
 * slots and the shards it was given here. The database remains the record;
 * this is only what is needed to talk to the agent.
 */
export class AgentSession {
  freeSlots = 0;
  draining = false;
  /** Measured from the render times the agent reports. */
  readonly rate = new RateEstimate();
  /** Measured from the model loads the agent reports: what a model switch costs it. */
  readonly modelLoad = new LoadTimeEstimate();
  /** The model of the last shard given to this agent: it is loaded there. */
  lastModel: string | undefined;
  readonly shards = new Map<string, LiveShard>();
  /** When the agent last sent anything: a stream silent for two heartbeats may be replaced by a reconnect. */
  lastHeardAtMs = Date.now();
  /** Outputs checked so far, where the store's notices confirm uploads: which of them to read back as well. */
  outputsChecked = 0;
  /** Set once an output of this stream failed its check: every later one is read back. */
  readEveryOutput = false;
  private ended = false;

  constructor(
    readonly hello: AgentHello,
    private readonly call: grpc.ServerDuplexStream<AgentMessage__Output, CoordinatorMessage>,
  ) {}

  get id(): string {
    return this.hello.id;
  }

  get open(): boolean {
    return !this.ended;
  }

  heard(): void {
    this.lastHeardAtMs = Date.now();
  }

  /**
   * Leases this agent holds here now. A shard it never ended (its lease
   * lapsed, the agent fenced itself) drops out when its lease would have
   * expired, so that it cannot hold a slot forever.
   */
  liveLeases(nowMs = Date.now()): number {
    for (const [shardId, shard] of this.shards) if (shard.expiresAtMs <= nowMs) this.shards.delete(shardId);
    return this.shards.size;
  }

  /** Live leases whose shards the agent is still rendering: each holds a slot. */
  renderingLeases(nowMs = Date.now()): number {
    this.liveLeases(nowMs);
    let rendering = 0;
    for (const shard of this.shards.values()) if (!shard.finishing) rendering++;
    return rendering;
  }

  /** The agent announced these shards as finishing (all rendered); a shard never goes back to rendering. */
  finishing(shardIds: readonly string[]): void {
    for (const shardId of shardIds) {
      const shard = this.shards.get(shardId);
      if (shard) shard.finishing = true;
    }
  }

  /** The coordinator renewed these leases until `expiresAtMs`. */
  renewed(shardIds: readonly string[], expiresAtMs: number): void {
    for (const shardId of shardIds) {
      const shard = this.shards.get(shardId);
      if (shard) shard.expiresAtMs = expiresAtMs;
    }
  }

  send(message: CoordinatorMessage): void {
    if (!this.ended) this.call.write(message);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.call.end();
  }
}
