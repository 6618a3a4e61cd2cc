import { randomUUID } from "node:crypto";
import { leaseStore, outputSizeOf, type Database, type Lease } from "@atelier/db";
import type { AssignedItem } from "@atelier/protocol";
import { LEASES_PER_SLOT, type AgentSession } from "./agent-session.ts";
import { CreatorKeywords } from "./policy/creator-keywords.ts";
import { planShardSize, switchAffinity } from "./shard-planner.ts";
import type { ObjectStore } from "./storage/index.ts";
import { objectKeyFor } from "./storage/index.ts";

export interface DispatcherOptions {
  leaseTtlMs: number;
  /** Largest shard; shards shrink toward the end of a batch. */
  maxShardItems: number;
  /** How long a shard should keep an agent busy at its measured rate. */
  targetShardMs: number;
  /** An idle agent takes a speculative copy of the tail of a shard that has run longer than this; 0: never. */
  speculateAfterMs: number;
  /** Waiting this long raises a batch's priority by one level. */
  agingMsPerPriorityLevel: number;
  /** Longest an upload URL lives: one for a shard lives as long as the shard should take at the agent's measured rate, plus a lease. */
  presignedPutTtlMs: number;
  /** Agents stamp the invisible watermark in every image. */
  watermark: boolean;
  /** Safety net for work that arrives without a wake-up (retry backoffs, other coordinators). */
  pollIntervalMs: number;
}

/**
 * Hands shards to agents with free slots. Wake-ups coalesce: however many
 * events ask for a dispatch, one pass runs at a time and another follows if
 * anything asked meanwhile.
 */
export class Dispatcher {
  private running = false;
  private again = false;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private readonly creatorKeywords: CreatorKeywords;

  constructor(
    private readonly db: Database,
    private readonly store: ObjectStore,
    private readonly sessions: () => Iterable<AgentSession>,
    private readonly options: DispatcherOptions,
    private readonly onLease: (session: AgentSession, lease: Lease) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.creatorKeywords = new CreatorKeywords(db);
    this.timer = setInterval(() => this.wake(), options.pollIntervalMs);
    this.timer.unref();
  }

  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.pass();
      } while (this.again && !this.closed);
    } catch (error) {
      this.onError(error);
    } finally {
      this.running = false;
    }
  }

  /** Round-robin over agents with free slots, one shard each per round, until none can be served. */
  private async pass(): Promise<void> {
    let hungry = this.hungrySessions();
    // The whole farm's slots, busy or not: the end of a batch may spread over any of them (planShardSize).
    const totalSlots = [...this.sessions()].filter((s) => s.open && !s.draining).reduce((sum, s) => sum + s.hello.slots, 0);
    while (hungry.length > 0 && !this.closed) {
      for (const session of hungry) {
        const served = await this.serve(session, totalSlots);
        if (!served) hungry = hungry.filter((s) => s !== session);
      }
      hungry = hungry.filter(canTakeMore);
    }
  }

  private hungrySessions(): AgentSession[] {
    return [...this.sessions()].filter(canTakeMore);
  }

  private async serve(session: AgentSession, totalSlots: number): Promise<boolean> {
    const capabilities = {
      models: session.hello.models, maxWidth: session.hello.maxWidth, maxHeight: session.hello.maxHeight,
      architectures: session.hello.architectures, upscalers: session.hello.upscalers,
    };
    const batch = await leaseStore.pickBatch(this.db, capabilities, {
      loadedModel: session.lastModel,
      agingMsPerPriorityLevel: this.options.agingMsPerPriorityLevel,
      modelAffinity: switchAffinity(session.modelLoad.loadMs, this.options.targetShardMs),
    });
    const request = { ...capabilities, agentId: session.id, shardId: randomUUID(), leaseTtlMs: this.options.leaseTtlMs };
    if (!batch) {
      // Nothing queued that it can run: it may back up a straggler instead.
      if (this.options.speculateAfterMs <= 0) return false;
      const copy = await leaseStore.speculate(this.db, { ...request, maxItems: this.options.maxShardItems, minAgeMs: this.options.speculateAfterMs });
      return copy !== undefined && (await this.hand(session, copy));
    }
    const maxItems = planShardSize({
      itemsPerSecond: session.rate.itemsPerSecond,
      remaining: batch.remaining,
      farmSlots: totalSlots,
      batchSlots: [...this.sessions()].reduce((n, s) => n + [...s.shards.values()].filter((shard) => shard.batchId === batch.id && !shard.finishing).length, 0),
      targetShardMs: this.options.targetShardMs,
      maxShardItems: this.options.maxShardItems,
      probeItems: 2,
    });
    const lease = await leaseStore.lease(this.db, batch.id, { ...request, maxItems });
    if (!lease) return true; // another coordinator took them: look again
    return this.hand(session, lease);
  }

  /** Sends a lease to its agent; false when the agent can no longer take it (the lease goes back at no cost). */
  private async hand(session: AgentSession, lease: Lease): Promise<boolean> {
    // The agent may have gone, been drained or announced no free slot (it is
    // stopping) while the lease was taken: it never hears of this shard, so
    // the shard goes straight back, at no cost.
    if (!canTakeMore(session)) {
      await leaseStore.release(this.db, lease.shardId, lease.epoch, session.id);
      return false;
    }
    session.freeSlots -= 1;
    const switchesModel = session.lastModel !== undefined && session.lastModel !== lease.settings.model;
    session.lastModel = lease.settings.model;
    const expiresInMs = uploadUrlTtlMs(lease.items.length, session.rate.itemsPerSecond, this.options);
    // Registered creators' keywords in each prompt, from one read of the tenant's: the agent measures their contributions.
    const keywordsIn = await this.creatorKeywords.matcherFor(lease.tenantId);
    const items: AssignedItem[] = await Promise.all(
      lease.items.map(async (item) => {
        const key = objectKeyFor(lease.tenantId, lease.batchId, item.index, item.seed);
        const uploadUrl = await this.store.presignPut(key, { contentType: "image/png", expiresInMs });
        return { ...item, key, uploadUrl, keywords: keywordsIn(item.prompt) };
      }),
    );
    session.shards.set(lease.shardId, {
      // By this clock, as renewals are: the database's may differ.
      expiresAtMs: Date.now() + this.options.leaseTtlMs,
      epoch: lease.epoch,
      batchId: lease.batchId,
      keys: new Map(items.map((item) => [item.itemId!, item.key!])),
      // The size the image comes out at (hires and upscale enlarge it): what its upload must be.
      ...outputSizeOf(lease.settings),
      switchesModel,
      finishing: false,
    });
    session.send({
      assign: {
        shardId: lease.shardId,
        epoch: lease.epoch,
        leaseExpiresAtMs: lease.expiresAtMs,
        leaseTtlMs: this.options.leaseTtlMs,
        settings: lease.settings,
        items,
        batchId: lease.batchId,
        batchCreatedAtMs: lease.batchCreatedAtMs,
        watermark: this.options.watermark,
      },
    });
    this.onLease(session, lease);
    return true;
  }
}

/**
 * Open, not draining, with a free slot it announced, fewer shards being
 * rendered here than the slots it has (a lease on its way counts, so that an
 * announcement sent before it arrived is not taken twice), and live leases
 * within LEASES_PER_SLOT.
 */
function canTakeMore(session: AgentSession): boolean {
  const { slots } = session.hello;
  return session.open && !session.draining && session.freeSlots > 0
    && session.renderingLeases() < slots && session.liveLeases() < LEASES_PER_SLOT * slots;
}

// An agent's first shards come before its rate is known: their URLs live the longest allowed.
// Never less than this: a machine that slows down well past its measured rate
// must not outlive its URLs mid-shard (an expired URL costs the item a retry).
const MIN_UPLOAD_URL_MS = 5 * 60_000;

/**
 * How long a shard's upload URLs live: three times as long as the shard
 * should take at the agent's measured rate, plus a lease, within
 * [5 minutes, presignedPutTtlMs]. A URL is worth nothing once its lease is
 * gone (a result is recorded only from the lease holder); the expiry bounds
 * what a leaked URL can still write.
 */
export function uploadUrlTtlMs(items: number, itemsPerSecond: number | undefined, options: Pick<DispatcherOptions, "leaseTtlMs" | "presignedPutTtlMs">): number {
  if (!itemsPerSecond || itemsPerSecond <= 0) return options.presignedPutTtlMs;
  const expected = options.leaseTtlMs + (3 * items * 1000) / itemsPerSecond;
  return Math.round(Math.min(options.presignedPutTtlMs, Math.max(MIN_UPLOAD_URL_MS, expected)));
}
