import { performance } from "node:perf_hooks";

interface HeldLease {
  shardId: string;
  epoch: number;
  /** Monotonic time of the last renewal the coordinator acknowledged. */
  renewedAt: number;
  ttlMs: number;
  abort: AbortController;
}

/**
 * The leases this agent holds. Judged on the agent's monotonic clock only:
 * wall-clock skew can never make the agent work past its lease. An agent that
 * has not heard a renewal for TTL minus a safety margin stops on its own
 * (self-fences) before the coordinator could give the work to someone else.
 */
export class LeaseBook {
  private readonly leases = new Map<string, HeldLease>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  hold(shardId: string, epoch: number, ttlMs: number): AbortSignal {
    const abort = new AbortController();
    this.leases.set(shardId, { shardId, epoch, renewedAt: this.now(), ttlMs, abort });
    return abort.signal;
  }

  list(): { shardId: string; epoch: number }[] {
    return [...this.leases.values()].map(({ shardId, epoch }) => ({ shardId, epoch }));
  }

  epochOf(shardId: string): number | undefined {
    return this.leases.get(shardId)?.epoch;
  }

  /** Applies a heartbeat ack sent for `asked`: named leases are renewed, the others were lost. */
  renewed(asked: { shardId: string; epoch: number }[], renewed: { shardId: string; epoch: number }[], sentAt: number): string[] {
    const kept = new Set(renewed.map((l) => `${l.shardId}/${l.epoch}`));
    const lost: string[] = [];
    for (const { shardId, epoch } of asked) {
      const lease = this.leases.get(shardId);
      if (!lease || lease.epoch !== epoch) continue;
      if (kept.has(`${shardId}/${epoch}`)) {
        // Count from when the heartbeat was sent: the coordinator renewed no later than that plus the round trip.
        lease.renewedAt = Math.max(lease.renewedAt, sentAt);
      } else {
        lost.push(shardId);
        this.drop(shardId, "lease lost");
      }
    }
    return lost;
  }

  /** Stops every lease not renewed within its TTL minus the margin; returns those shards. */
  fenceExpired(): string[] {
    const fenced: string[] = [];
    for (const lease of this.leases.values()) {
      const margin = Math.min(5_000, lease.ttlMs / 4);
      if (this.now() - lease.renewedAt > lease.ttlMs - margin) {
        fenced.push(lease.shardId);
        this.drop(lease.shardId, "lease not renewed in time: stopped before it could be given away");
      }
    }
    return fenced;
  }

  isLive(shardId: string): boolean {
    return this.leases.has(shardId);
  }

  drop(shardId: string, reason: string): void {
    const lease = this.leases.get(shardId);
    if (!lease) return;
    this.leases.delete(shardId);
    lease.abort.abort(new Error(reason));
  }
}
