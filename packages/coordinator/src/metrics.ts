import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The coordinator's Prometheus metrics, on a registry of its own (several coordinators may share a process in tests). */
export function createFarmMetrics(queueDepth: () => Promise<number>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "atelier_coordinator_" });
  return {
    registry,
    itemsCompleted: new Counter({ name: "atelier_items_completed_total", help: "Items whose output was recorded", registers: [registry] }),
    itemsFailed: new Counter({
      name: "atelier_items_failed_total",
      help: "Item failures reported by agents; final=true when the item will not be retried",
      labelNames: ["final"] as const,
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
        this.set(await queueDepth());
      },
    }),
    renderSeconds: new Histogram({
      name: "atelier_item_render_seconds",
      help: "Render time per item as reported by agents",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
  };
}

export type FarmMetrics = ReturnType<typeof createFarmMetrics>;
