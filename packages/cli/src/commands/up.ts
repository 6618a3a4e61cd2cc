import { createLogger, redactUrl, type Logger } from "@atelier/common";
import { dashboardUrl, loadConfig, localAdmin, startFarmRuntime, type LocalAdmin } from "@atelier/coordinator";
import { waitForSignal } from "../signals.ts";

export async function upCommand(_args: string[]): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger({ level: config.LOG_LEVEL, name: "coordinator" });
  const farm = await startFarmRuntime(config, log);
  const { coordinator, embedded } = farm;
  console.error(`atelier coordinator ${coordinator.id}`);
  console.error(`  gRPC     ${config.ATELIER_GRPC_HOST}:${coordinator.grpcPort}   (agents: atelier agent --coordinator HOST:${coordinator.grpcPort})`);
  console.error(`  HTTP     http://127.0.0.1:${coordinator.httpPort}/healthz  /metrics`);
  console.error(`  database ${embedded.database ? "embedded PGlite" + (config.ATELIER_DATA_DIR ? ` in ${config.ATELIER_DATA_DIR}` : " (in memory)") : "DATABASE_URL"}`);
  console.error(`  storage  ${embedded.s3Endpoint ? `embedded S3 at ${embedded.s3Endpoint}` : redactUrl(config.S3_ENDPOINT)}, bucket ${config.S3_BUCKET}`);
  console.error(`  events   ${embedded.bus ? "in-process bus" : redactUrl(config.NATS_URL)}`);
  // A generated secret is shown only in a terminal: stderr piped to a file or a log collector would keep it.
  const showLink = coordinator.adminTokenGenerated && process.stderr.isTTY === true;
  const dashboard = dashboardUrl({ host: config.ATELIER_HTTP_HOST, httpPort: coordinator.httpPort, adminToken: coordinator.adminToken, withToken: showLink });
  const signIn = showLink
    ? "sign-in link: ATELIER_ADMIN_TOKEN is unset, so a token was generated for this run"
    : coordinator.adminTokenGenerated
      ? "sign in with an admin API token (`atelier tokens create --tenant T --role admin`), or set ATELIER_ADMIN_TOKEN"
      : "sign in with ATELIER_ADMIN_TOKEN or an admin API token";
  console.error(`  dashboard ${dashboard}   (${signIn})`);
  await bootstrapAdminToken(localAdmin(farm.db), log);
  const signal = await waitForSignal();
  log.info({ signal }, "shutting down");
  await farm.close();
}

/**
 * A farm whose database holds no token at all gets an admin token at its
 * first start in a terminal, printed there once. Logs get its id, never the
 * secret; without a terminal none is made (nobody would see it), and the log
 * says how to make one.
 */
async function bootstrapAdminToken(admin: LocalAdmin, log: Logger): Promise<void> {
  if (await admin.hasTokens()) return;
  if (!process.stderr.isTTY) {
    log.warn("no API tokens exist yet: create one with `atelier tokens create --tenant NAME --role admin` (with this DATABASE_URL)");
    return;
  }
  const created = await admin.createToken({ tenant: "admin", role: "admin", name: "first start" });
  log.info({ tokenId: created.id }, "created the first admin token");
  console.error(`\n  first start: an admin API token was created (id ${created.id}); it is shown only now, keep it:\n\n    ATELIER_TOKEN=${created.token}\n`);
  console.error("  with it: `atelier tokens create --tenant NAME` for tenants, `atelier agents enroll --name NAME` for agents\n");
}
