import { createLogger, dashboardUrl, loadConfig, startFarmRuntime } from "@atelier/coordinator";
import { waitForSignal } from "../signals.ts";

export async function upCommand(_args: string[]): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger({ level: config.LOG_LEVEL });
  const farm = await startFarmRuntime(config, log);
  const { coordinator, embedded } = farm;
  console.error(`atelier coordinator ${coordinator.id}`);
  console.error(`  gRPC     ${config.ATELIER_GRPC_HOST}:${coordinator.grpcPort}   (agents: atelier agent --coordinator HOST:${coordinator.grpcPort})`);
  console.error(`  HTTP     http://127.0.0.1:${coordinator.httpPort}/healthz  /metrics`);
  console.error(`  database ${embedded.database ? "embedded PGlite" + (config.ATELIER_DATA_DIR ? ` in ${config.ATELIER_DATA_DIR}` : " (in memory)") : "DATABASE_URL"}`);
  console.error(`  storage  ${embedded.s3Endpoint ? `embedded S3 at ${embedded.s3Endpoint}` : config.S3_ENDPOINT}, bucket ${config.S3_BUCKET}`);
  console.error(`  events   ${embedded.bus ? "in-process bus" : config.NATS_URL}`);
  const dashboard = dashboardUrl({ host: config.ATELIER_HTTP_HOST, httpPort: coordinator.httpPort, adminToken: coordinator.adminToken, withToken: coordinator.adminTokenGenerated });
  console.error(`  dashboard ${dashboard}${coordinator.adminTokenGenerated ? "   (sign-in link: ATELIER_ADMIN_TOKEN is unset, so a token was generated for this run)" : "   (sign in with ATELIER_ADMIN_TOKEN)"}`);
  const signal = await waitForSignal();
  log.info({ signal }, "shutting down");
  await farm.close();
}
