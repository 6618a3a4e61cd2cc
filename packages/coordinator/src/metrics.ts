import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface FarmMetricsSources {
  /** Items not yet settled across live batches (database). */
  queueDepth: () => Promise<number>;
  /** Shard leases live across the farm (database). */
  liveLeases: () => Promise<number>;
}

/**
 * The coordinator's Prometheus metrics, on a registry of its own (several
 * coordinators may share a process in tests). Counters count what this
 * coordinator saw; gauges read from the database describe the whole farm, so
 * aggregate them across coordinators with max(), not sum().
 */
export function createFarmMetrics(sources: FarmMetricsSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "atelier_coordinator_" });
  return {
    registry,
    itemsCompleted: new Counter({ name: "atelier_items_completed_total", help: "Items whose output was recorded", registers: [registry] }),
    outputChecks: new Counter({
      name: "atelier_output_checks_total",
      help: "Outputs that passed the check before recording, by how: notice (the object store's event notification confirmed the size and MD5) or read (the object's first bytes read back)",
      labelNames: ["by"] as const,
      registers: [registry],
    }),
    itemsFailed: new Counter({
      name: "atelier_items_failed_total",
      help: "Item failures reported by agents; final=true when the item will not be retried; reason from failureReason()",
      labelNames: ["final", "reason"] as const,
      registers: [registry],
    }),
    clipGate: new Counter({
      name: "atelier_clip_outputs_total",
      help: "CLIP-scored outputs by what the quality gate made of them: accepted (the item's image), rejected (kept, the item re-rolled), exhausted (rejected with no re-roll left)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    leasesGranted: new Counter({ name: "atelier_leases_granted_total", help: "Shards leased to agents", registers: [registry] }),
    leasesExpired: new Counter({ name: "atelier_leases_expired_total", help: "Shards whose lease expired", registers: [registry] }),
    agentsConnected: new Gauge({ name: "atelier_agents_connected", help: "Agents connected to this coordinator", registers: [registry] }),
    queueDepth: new Gauge({
      name: "atelier_queue_depth",
      help: "Items not yet settled across live batches",
      registers: [registry],
      async collect() {
        this.set(await sources.queueDepth());
      },
    }),
    liveLeases: new Gauge({
      name: "atelier_live_leases",
      help: "Shard leases live across the farm",
      registers: [registry],
      async collect() {
        this.set(await sources.liveLeases());
      },
    }),
    itemsPerSecond: new Gauge({
      name: "atelier_items_per_second",
      help: "Images rendered per second across the farm, averaged over the last minute",
      registers: [registry],
    }),
    renderSeconds: new Histogram({
      name: "atelier_item_render_seconds",
      help: "Render time per item as reported by agents",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    shardSeconds: new Histogram({
      name: "atelier_shard_duration_seconds",
      help: "Lease to end of the shards this coordinator leased, by how they ended (done, expired, released, cancelled)",
      labelNames: ["outcome"] as const,
      buckets: [1, 2, 5, 10, 30, 60, 120, 300, 600, 900, 1800],
      registers: [registry],
    }),
    eventStreams: new Gauge({
      name: "atelier_dashboard_event_streams",
      help: "Dashboard live-update streams (Server-Sent Events) open on this coordinator",
      registers: [registry],
    }),
    signIns: new Counter({
      name: "atelier_dashboard_sign_ins_total",
      help: "Dashboard sign-in attempts by outcome (ok, refused, throttled)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
  };
}

export type FarmMetrics = ReturnType<typeof createFarmMetrics>;

// Errors carry ids, sizes and paths; a label must not. Each class names what
// an operator would do about it.
const FAILURE_REASONS: [RegExp, string][] = [
  [/lease expired/i, "lease_expired"],
  [/without reporting/i, "unreported"],
  [/not installed/i, "model_missing"],
  [/tokens; the model's window/i, "prompt_too_long"],
  [/upload/i, "upload"],
  [/out of memory|\boom\b|failed to allocate/i, "out_of_memory"],
  [/worker crashed/i, "worker_crashed"],
  [/must be|invalid/i, "invalid_request"],
];

/** A bounded label for an item's error message. */
export function failureReason(error: string): string {
  return FAILURE_REASONS.find(([pattern]) => pattern.test(error))?.[1] ?? "render_error";
}
