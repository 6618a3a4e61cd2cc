import { createLogger } from "@atelier/common";
import { loadConfig } from "../config.ts";
import { startFarmRuntime, type FarmRuntime } from "../farm-runtime.ts";

/**
 * For this folder's tests: a whole coordinator on loopback, on ports the
 * system picks, logging nothing, with `env` added to its configuration;
 * `base` is its dashboard's URL.
 */
export async function startLoopbackRuntime(env: Record<string, string>): Promise<{ farm: FarmRuntime; base: string }> {
  const config = loadConfig({ ATELIER_GRPC_HOST: "127.0.0.1", ATELIER_GRPC_PORT: "0", ATELIER_HTTP_HOST: "127.0.0.1", ATELIER_HTTP_PORT: "0", ...env });
  const farm = await startFarmRuntime(config, createLogger({ level: "silent", name: "coordinator" }));
  return { farm, base: `http://127.0.0.1:${farm.coordinator.httpPort}` };
}
