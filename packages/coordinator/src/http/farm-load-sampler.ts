import type { FarmLoadSample } from "@atelier/dashboard/api-types";
import { dashboardQueries, type Database } from "@atelier/db";
import { subjects, type EventBus } from "../events/index.ts";
import type { Logger } from "@atelier/common";

export interface FarmLoadSamplerOptions {
  db: Database;
  bus: EventBus;
  log: Logger;
  coordinatorId: string;
  intervalMs: number;
  /** How much history the charts get. */
  historyMs: number;
  onSample?: (sample: FarmLoadSample) => void;
}

const RATE_WINDOW_MS = 60_000;

interface Counts {
  atMs: number;
  total: number;
  perAgent: Map<string, number>;
}

/**
 * Samples the farm from the database every few seconds and publishes each
 * sample on `atelier.farm.load`. Throughput comes from the agents' image
 * counters, which the database increments with each recorded output, so it
 * is farm-wide whichever coordinator recorded them. Keeps the last hour in
 * memory for the dashboard's charts: a restart starts the charts afresh.
 */
export class FarmLoadSampler {
  private readonly samples: FarmLoadSample[] = [];
  private readonly counts: Counts[] = [];
  private readonly timer: NodeJS.Timeout;
  private busy = false;
  private closed = false;
  private readonly first: Promise<void>;

  constructor(private readonly options: FarmLoadSamplerOptions) {
    this.first = this.sample();
    this.timer = setInterval(() => void this.sample(), options.intervalMs);
    this.timer.unref();
  }

  /** Resolves once the first sample was taken (or failed). */
  ready(): Promise<void> {
    return this.first;
  }

  history(): readonly FarmLoadSample[] {
    return this.samples;
  }

  latest(): FarmLoadSample | undefined {
    return this.samples.at(-1);
  }

  /** An agent's images per minute over the last minute (or since it was first seen in it). */
  agentRatePerMin(agentId: string): number {
    const last = this.counts.at(-1);
    const first = this.counts.find((counts) => counts.perAgent.has(agentId));
    if (!first || !last || last === first) return 0;
    return perMinute((last.perAgent.get(agentId) ?? 0) - first.perAgent.get(agentId)!, last.atMs - first.atMs);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      const [totals, perAgent] = await Promise.all([dashboardQueries.farmTotals(this.options.db), dashboardQueries.agentImageCounts(this.options.db)]);
      const atMs = Date.now();
      this.counts.push({ atMs, total: totals.imagesDone, perAgent });
      while (this.counts.length > 2 && this.counts[1]!.atMs <= atMs - RATE_WINDOW_MS) this.counts.shift();
      const first = this.counts[0]!;
      const sample: FarmLoadSample = {
        atMs,
        coordinatorId: this.options.coordinatorId,
        agents: totals.agents,
        agentsOnline: totals.agentsOnline,
        slots: totals.slots,
        liveLeases: totals.liveLeases,
        utilisation: totals.slots > 0 ? Math.min(1, totals.liveLeases / totals.slots) : 0,
        queueDepth: totals.queueDepth,
        liveBatches: totals.liveBatches,
        imagesPerMin: perMinute(totals.imagesDone - first.total, atMs - first.atMs),
      };
      if (this.closed) return;
      this.samples.push(sample);
      while (this.samples.length > 0 && this.samples[0]!.atMs < atMs - this.options.historyMs) this.samples.shift();
      this.options.onSample?.(sample);
      await this.options.bus.publish(subjects.farmLoad, sample);
    } catch (error) {
      if (!this.closed) this.options.log.warn({ err: error }, "farm load sample failed");
    } finally {
      this.busy = false;
    }
  }
}

function perMinute(delta: number, spanMs: number): number {
  return spanMs > 0 ? (Math.max(0, delta) / spanMs) * 60_000 : 0;
}
