import { RateEstimate } from "@atelier/coordinator";
import { BinaryHeap } from "./binary-heap.ts";
import { EventQueue } from "./event-queue.ts";
import type { FarmScenario, SimAgent, SimBatch } from "./farm-scenario.ts";

/** The coordinator's timings (docs/reliability.md defaults), in seconds. */
export interface SimTimings {
  heartbeatSeconds: number;
  leaseTtlSeconds: number;
  sweepSeconds: number;
}

export interface BatchState extends SimBatch {
  /** Queued item indexes, lowest first (the lease SQL takes them ORDER BY id). */
  /** item indexes, smallest first */
  queued: BinaryHeap<number>;
  done: number;
  /** Seconds each item takes at speed 1. */
  itemSeconds: Float64Array;
  doneItems: Uint8Array;
  /** The live shard that holds each leased item, and the live speculative copy of it, if any. */
  holder: Map<number, ShardState>;
  copyHolder: Map<number, ShardState>;
}

export interface AgentState extends SimAgent {
  alive: boolean;
  /** When the coordinator notices a dead agent: its last heartbeat plus the lease TTL. */
  goneAt: number | undefined;
  shard: ShardState | undefined;
  loadedModel: string;
  /** The coordinator's estimate, fed exactly as the coordinator feeds it: one render time (less any model load) per accepted result. */
  readonly rate: RateEstimate;
  /** The model load the coordinator last heard of from this agent; undefined until it has switched once. */
  measuredLoadMs: number | undefined;
  /** Since when it has had no shard (while alive); undefined while it renders. */
  idleSince: number | undefined;
}

export interface ShardState {
  id: number;
  agent: AgentState;
  batch: BatchState;
  items: number[];
  /** Index into `items` of the item being rendered. */
  next: number;
  /** When the item being rendered started. */
  itemStartedAt: number;
  live: boolean;
  /** When the lease lapses unless renewed; alive agents renew it with every heartbeat. */
  leaseExpiresAt: number;
  leasedAt: number;
  /** The item whose render began with a model load, reported with it. */
  loadingItem?: number;
  /** A copy of another shard's unfinished tail. */
  speculative: boolean;
}

/** What a policy returns for an idle agent. */
export interface ShardChoice {
  batch: BatchState;
  items: number[];
  /** The items are a speculative copy: they stay with their shard, and the first result of each wins. */
  speculative?: boolean;
}

export interface SimPolicy {
  readonly name: string;
  /** Called when `agent` is idle (and after every change while it is): a shard to run, or undefined to wait. */
  nextShard(farm: SimulatedFarm, agent: AgentState): ShardChoice | undefined;
  /** Items of an expired lease are back in their batch's queue. */
  onRequeued?(farm: SimulatedFarm, batch: BatchState, items: number[]): void;
  /** The coordinator has noticed that `agent` is gone (its lease would have expired, busy or not). */
  onAgentGone?(farm: SimulatedFarm, agent: AgentState): void;
}

export interface SimOutcome {
  policy: string;
  makespanSeconds: number;
  itemsDone: number;
  shards: number;
  modelSwitches: number;
  expiredShards: number;
  requeuedItems: number;
  /** From the last item leased to the last item done: the tail the last shards make the farm wait. */
  tailSeconds: number;
  speculativeShards: number;
  /** Renders whose result was refused: the item was done first by its copy (or its copy by the original). */
  wastedRenders: number;
  /** Where the makespan went past the work itself (see SimLoss). */
  loss: SimLoss;
  /** The shards that ended last, the last one last: what the farm waited on at the end. */
  lastShards: ShardSummary[];
}

type ShardEnd = "finished" | "expired" | "batch settled";

export interface ShardSummary {
  agentSpeed: number;
  model: string;
  items: number;
  leasedAt: number;
  endedAt: number;
  /** It began with a model load. */
  switchedModel: boolean;
  speculative: boolean;
  /** Every item rendered; its lease expired (the agent had died); or its batch settled first (its items were done by copies). */
  ended: ShardEnd;
}

/**
 * The farm's capacity that did no accepted work, in agent-seconds weighted by
 * each agent's speed (so one unit is a second of a 1x GPU). Their sum is the
 * capacity the run spent past the bound's work; divided by the farm's
 * capacity at the end, it is roughly how many seconds the makespan lost.
 */
export interface SimLoss {
  /** Loading a model. */
  modelLoads: number;
  /** Renders refused (the item's copy won, or the shard's batch ended) or cut short by a fence. */
  wastedRenders: number;
  /** The item an agent was rendering when it died. */
  diedMidItem: number;
  /** Alive with no shard, nothing queued that it could take, before the last lease of the run. */
  idleBeforeLastLease: number;
  /** Alive with no shard after the last lease: the tail, waiting on the last shards. */
  idleInTail: number;
  /** Live capacity at the end (the sum of the alive agents' speeds), to turn the above into seconds. */
  capacityAtEnd: number;
}

type SimEvent =
  | { kind: "submit"; batch: BatchState }
  | { kind: "itemDone"; shard: ShardState; item: number }
  | { kind: "crash"; agent: AgentState }
  | { kind: "sweep" }
  /** An agent's heartbeat is refused (its shard ended with its batch): it stops rendering. */
  | { kind: "fenced"; shard: ShardState };

/**
 * A farm in virtual time: agents render shards item by item, report each
 * result, die when the scenario says so and lose their leases the way the
 * coordinator takes them back (no heartbeat, TTL passes, the next sweep
 * requeues the unfinished items with an attempt charged). Which shard an idle
 * agent gets is the policy's choice.
 */
export class SimulatedFarm {
  readonly agents: AgentState[];
  readonly batches: BatchState[];
  readonly liveShards = new Set<ShardState>();
  now = 0;
  private readonly events = new EventQueue<SimEvent>();
  private nextShardId = 1;
  private readonly outcome: SimOutcome;
  private remainingItems: number;
  private lastLeaseAt = 0;

  constructor(
    readonly scenario: FarmScenario,
    readonly timings: SimTimings,
    private readonly policy: SimPolicy,
  ) {
    this.agents = scenario.agents.map((agent) => ({ ...agent, alive: true, goneAt: undefined, shard: undefined, rate: new RateEstimate(), measuredLoadMs: undefined,
      idleSince: 0 }));
    this.batches = scenario.batches.map((batch) => ({
      ...batch,
      queued: new BinaryHeap<number>((a, b) => a < b),
      done: 0,
      itemSeconds: Float64Array.from({ length: batch.items }, (_, i) =>
        scenario.secondsPerItem[batch.model]! * (1 + scenario.itemJitter * (2 * scenario.itemDraw(batch.id, i) - 1))),
      doneItems: new Uint8Array(batch.items),
      holder: new Map(),
      copyHolder: new Map(),
    }));
    this.remainingItems = this.batches.reduce((n, b) => n + b.items, 0);
    this.outcome = { policy: policy.name, makespanSeconds: 0, itemsDone: 0, shards: 0, modelSwitches: 0, expiredShards: 0, requeuedItems: 0, tailSeconds: 0,
      speculativeShards: 0, wastedRenders: 0,
      loss: { modelLoads: 0, wastedRenders: 0, diedMidItem: 0, idleBeforeLastLease: 0, idleInTail: 0, capacityAtEnd: 0 }, lastShards: [] };
  }

  run(): SimOutcome {
    for (const batch of this.batches) this.events.push(batch.submittedAt, { kind: "submit", batch });
    for (const agent of this.agents) if (agent.crashesAt !== undefined) this.events.push(agent.crashesAt, { kind: "crash", agent });
    this.events.push(this.timings.sweepSeconds, { kind: "sweep" });
    while (this.remainingItems > 0) {
      const next = this.events.pop();
      if (!next) throw new Error(`the simulation stalled with ${this.remainingItems} items left under ${this.policy.name}`);
      this.now = next.at;
      this.handle(next.event);
      // Everything due at this instant first (two batches submitted together), then one dispatch pass.
      while (this.events.peekAt() === this.now) this.handle(this.events.pop()!.event);
      this.dispatch();
    }
    this.outcome.makespanSeconds = this.now;
    this.outcome.tailSeconds = this.now - this.lastLeaseAt;
    for (const agent of this.agents) {
      if (!agent.alive) continue;
      this.endIdle(agent);
      this.outcome.loss.capacityAtEnd += this.speedOf(agent);
    }
    return this.outcome;
  }

  /** Submitted batches with items not yet done. */
  openBatches(): BatchState[] {
    return this.batches.filter((b) => b.submittedAt <= this.now && b.done < b.items);
  }

  /** Slots of the agents still alive (the coordinator's connected sessions). */
  farmSlots(): number {
    return this.agents.filter((a) => a.alive).length;
  }

  /** Live shards of the batch, copies too (the dispatcher counts its sessions' shards of the batch). */
  liveShardsOf(batch: BatchState): number {
    let count = 0;
    for (const shard of this.liveShards) if (shard.batch === batch) count++;
    return count;
  }

  /** Takes up to `count` queued items of a batch, lowest index first. */
  takeQueued(batch: BatchState, count: number): number[] {
    const items: number[] = [];
    while (items.length < count && batch.queued.size > 0) items.push(batch.queued.pop()!);
    return items;
  }

  /** Seconds the agent will take for the item, including a model load when the model changes. */
  renderSeconds(agent: AgentState, batch: BatchState, item: number, switching: boolean): number {
    return batch.itemSeconds[item]! / this.speedOf(agent) + (switching ? this.scenario.modelSwitchSeconds : 0);
  }

  /** The agent's speed now: lower once it has slowed down. */
  speedOf(agent: AgentState): number {
    return agent.slowsAt !== undefined && this.now >= agent.slowsAt ? agent.speed / agent.slowdown : agent.speed;
  }

  /** Books the idle span that ends now: the tail's if it ends after the last lease. */
  private endIdle(agent: AgentState): void {
    if (agent.idleSince === undefined) return;
    const speed = this.speedOf(agent);
    const splitAt = Math.min(Math.max(this.lastLeaseAt, agent.idleSince), this.now);
    this.outcome.loss.idleBeforeLastLease += (splitAt - agent.idleSince) * speed;
    this.outcome.loss.idleInTail += (this.now - splitAt) * speed;
    agent.idleSince = undefined;
  }

  /** Books the item in flight on a shard that stops rendering now (its agent died or was fenced). */
  private cutShort(shard: ShardState): number {
    const loading = shard.loadingItem === shard.items[shard.next] ? Math.min(this.scenario.modelSwitchSeconds, this.now - shard.itemStartedAt) : 0;
    this.outcome.loss.modelLoads += loading * this.speedOf(shard.agent);
    return (this.now - shard.itemStartedAt - loading) * this.speedOf(shard.agent);
  }

  private handle(event: SimEvent): void {
    switch (event.kind) {
      case "submit":
        for (let i = 0; i < event.batch.items; i++) event.batch.queued.push(i);
        break;
      case "itemDone":
        this.onItemDone(event.shard, event.item);
        break;
      case "crash":
      {
        event.agent.alive = false;
        this.endIdle(event.agent);
        if (event.agent.shard && event.agent.shard.next < event.agent.shard.items.length) this.outcome.loss.diedMidItem += this.cutShort(event.agent.shard);
        // The last heartbeat the coordinator heard renewed the lease for one TTL.
        const lastBeat = Math.floor(this.now / this.timings.heartbeatSeconds) * this.timings.heartbeatSeconds;
        event.agent.goneAt = lastBeat + this.timings.leaseTtlSeconds;
        if (event.agent.shard) event.agent.shard.leaseExpiresAt = event.agent.goneAt;
        break;
      }
      case "sweep":
        this.sweep();
        this.events.push(this.now + this.timings.sweepSeconds, { kind: "sweep" });
        break;
      case "fenced":
        if (event.shard.agent.shard === event.shard) {
          if (event.shard.agent.alive && event.shard.next < event.shard.items.length) {
            this.outcome.loss.wastedRenders += this.cutShort(event.shard);
            event.shard.agent.idleSince = this.now;
          }
          event.shard.agent.shard = undefined;
        }
        break;
    }
  }

  private onItemDone(shard: ShardState, item: number): void {
    const { batch, agent } = shard;
    if (!agent.alive || agent.shard !== shard) return; // a dead agent reports nothing; a fenced one has stopped
    const loadSeconds = shard.loadingItem === item ? this.scenario.modelSwitchSeconds : 0;
    this.outcome.loss.modelLoads += loadSeconds * this.speedOf(agent);
    if (!shard.live || batch.doneItems[item]) {
      this.outcome.wastedRenders++; // refused: the lease ended, or the item's other copy won
      this.outcome.loss.wastedRenders += (this.now - shard.itemStartedAt - loadSeconds) * this.speedOf(agent);
    } else {
      batch.doneItems[item] = 1;
      batch.done++;
      batch.holder.delete(item);
      batch.copyHolder.delete(item);
      this.remainingItems--;
      this.outcome.itemsDone++;
      const loadMs = shard.loadingItem === item ? this.scenario.modelSwitchSeconds * 1000 : 0;
      agent.rate.record((this.now - shard.itemStartedAt) * 1000 - loadMs);
      if (loadMs > 0) agent.measuredLoadMs = loadMs;
      if (batch.done === batch.items) {
        if (shard.next === shard.items.length - 1) this.endShard(shard, "finished"); // this was its last item
        this.endShardsOf(batch);
      }
    }
    shard.next++;
    this.startNextItem(shard);
  }

  /**
   * The batch settled: its live shards end with it (finishIfSettled), and
   * their agents, still rendering, stop when their next heartbeat is refused.
   */
  private endShardsOf(batch: BatchState): void {
    const beat = (Math.floor(this.now / this.timings.heartbeatSeconds) + 1) * this.timings.heartbeatSeconds;
    for (const shard of [...this.liveShards]) {
      if (shard.batch !== batch) continue;
      this.endShard(shard, "batch settled");
      this.events.push(beat, { kind: "fenced", shard });
    }
  }

  /** Renders the shard's next item, or ends the shard. */
  private startNextItem(shard: ShardState): void {
    const { batch, agent } = shard;
    if (shard.next >= shard.items.length) {
      if (shard.live) this.endShard(shard, "finished");
      agent.shard = undefined;
      if (agent.alive) agent.idleSince = this.now;
      return;
    }
    const item = shard.items[shard.next]!;
    const switching = agent.loadedModel !== batch.model;
    if (switching) {
      this.outcome.modelSwitches++;
      agent.loadedModel = batch.model;
      shard.loadingItem = item;
    }
    shard.itemStartedAt = this.now;
    this.events.push(this.now + this.renderSeconds(agent, batch, item, switching), { kind: "itemDone", shard, item });
  }

  private endShard(shard: ShardState, ended: ShardEnd): void {
    shard.live = false;
    this.liveShards.delete(shard);
    const last = this.outcome.lastShards;
    last.push({
      agentSpeed: shard.agent.speed, model: shard.batch.model, items: shard.items.length, leasedAt: shard.leasedAt, endedAt: this.now,
      switchedModel: shard.loadingItem !== undefined, speculative: shard.speculative, ended,
    });
    if (last.length > LAST_SHARDS_KEPT) last.shift();
  }

  /** Expired leases (only dead agents stop renewing) return their unfinished items to the queue. */
  private sweep(): void {
    for (const agent of this.agents) {
      if (agent.goneAt === undefined || agent.goneAt > this.now) continue;
      agent.goneAt = Number.POSITIVE_INFINITY; // noticed once
      this.policy.onAgentGone?.(this, agent);
    }
    for (const shard of [...this.liveShards]) {
      if (shard.agent.alive || shard.leaseExpiresAt > this.now) continue;
      this.endShard(shard, "expired");
      this.outcome.expiredShards++;
      // Of the item being rendered when the agent died and every one after
      // it: those this shard held go to their live copy if they have one,
      // else back to the queue; those it held as a copy stay with their holder.
      const { batch } = shard;
      const requeued: number[] = [];
      for (const item of shard.items.slice(shard.next)) {
        if (batch.doneItems[item]) continue;
        if (batch.copyHolder.get(item) === shard) {
          batch.copyHolder.delete(item);
        } else if (batch.holder.get(item) === shard) {
          const copy = batch.copyHolder.get(item);
          batch.copyHolder.delete(item);
          if (copy) {
            batch.holder.set(item, copy);
          } else {
            batch.holder.delete(item);
            batch.queued.push(item);
            requeued.push(item);
          }
        }
      }
      this.outcome.requeuedItems += requeued.length;
      if (requeued.length > 0) this.policy.onRequeued?.(this, batch, requeued);
    }
  }

  /** Every idle, alive agent asks the policy for a shard (the dispatcher's pass). */
  private dispatch(): void {
    for (const agent of this.agents) {
      if (!agent.alive || agent.shard) continue;
      const choice = this.policy.nextShard(this, agent);
      if (!choice || choice.items.length === 0) continue;
      const speculative = choice.speculative === true;
      const shard: ShardState = {
        id: this.nextShardId++, agent, batch: choice.batch, items: choice.items, next: 0, itemStartedAt: this.now,
        live: true, leaseExpiresAt: Number.POSITIVE_INFINITY, leasedAt: this.now, speculative,
      };
      for (const item of choice.items) (speculative ? choice.batch.copyHolder : choice.batch.holder).set(item, shard);
      if (speculative) this.outcome.speculativeShards++;
      this.lastLeaseAt = this.now;
      this.endIdle(agent);
      this.liveShards.add(shard);
      this.outcome.shards++;
      agent.shard = shard;
      this.startNextItem(shard);
    }
  }
}

const LAST_SHARDS_KEPT = 5;
