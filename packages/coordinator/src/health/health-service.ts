import type * as grpc from "@grpc/grpc-js";
import { HealthImplementation, type ServingStatus } from "grpc-health-check";
import type { Logger } from "@atelier/common";

export interface HealthServiceOptions {
  /** Fully qualified service names reported besides "" (the whole server). */
  services: string[];
  /** Rejects when the coordinator cannot serve (its database is unreachable). */
  ready: () => Promise<void>;
  intervalMs: number;
  log: Logger;
}

/**
 * The standard gRPC health service (grpc.health.v1.Health: Check, Watch),
 * so that Kubernetes gRPC probes, grpc_health_probe and load balancers can
 * tell a coordinator that cannot reach its database from one that can.
 * Every service follows the readiness probe; at close each turns
 * NOT_SERVING, so that watchers stop sending work before the server goes.
 */
export function addHealthService(server: grpc.Server, options: HealthServiceOptions): { close(): void } {
  const names = ["", ...options.services];
  const health = new HealthImplementation(Object.fromEntries(names.map((name) => [name, "NOT_SERVING" as ServingStatus])));
  health.addToServer(server);
  let status: ServingStatus = "NOT_SERVING";
  let closed = false;
  const set = (next: ServingStatus, reason?: string) => {
    if (next === status) return;
    status = next;
    for (const name of names) health.setStatus(name, next);
    if (next === "SERVING" || closed) options.log.info({ reason }, `gRPC health: ${next.toLowerCase().replace("_", " ")}`);
    else options.log.warn({ reason }, "gRPC health: not serving");
  };
  const probe = async () => {
    try {
      await options.ready();
      if (!closed) set("SERVING");
    } catch (error) {
      if (!closed) set("NOT_SERVING", (error as Error).message);
    }
  };
  void probe();
  const timer = setInterval(() => void probe(), options.intervalMs);
  timer.unref();
  return {
    close() {
      if (closed) return;
      clearInterval(timer);
      closed = true;
      set("NOT_SERVING", "shutting down");
    },
  };
}
