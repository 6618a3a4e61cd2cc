import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { connectNatsBus, createS3ObjectStore, localAdmin, startEmbeddedS3, type ObjectStore } from "@atelier/coordinator";
import { createTestDatabase, type TestDatabase } from "@atelier/db/testing";
import { ensureDemoModel } from "@atelier/diffusion";
import { AtelierClient, type ClientOptions } from "@atelier/sdk";
import { startAtelier, waitFor, type RunningProcess } from "./cli-process.ts";
import { freePort } from "./free-port.ts";
import { natsUrl } from "./services.ts";

export interface CoordinatorProcess {
  process: RunningProcess;
  address: string;
  httpPort: number;
}

export interface FarmFixture {
  database: TestDatabase;
  store: ObjectStore;
  bucket: string;
  /** A client of the first coordinator, with the admin token. */
  client: AtelierClient;
  /** An admin API token (tenant "e2e"), as `atelier tokens create --role admin` makes one. */
  adminToken: string;
  /** The environment a client command (`atelier submit`, `status`…) needs: the admin token. */
  cliEnv: Record<string, string>;
  /** A client of any coordinator of the farm with the admin token (or `token`); closed with the farm. */
  clientFor(address: string, options?: ClientOptions): AtelierClient;
  /** A new API token, as an admin would create it. */
  mintToken(tenant: string, role?: "user" | "admin"): Promise<string>;
  /** Enrolls an agent id (revoking any credential it had) and returns its credential. */
  enroll(name: string): Promise<string>;
  /** The credential each agent started by startAgent was enrolled with, by name. */
  credentials: Map<string, string>;
  /** The NATS subject prefix the farm's coordinators use. */
  natsPrefix: string;
  /** Every coordinator, all on the same database, NATS prefix and bucket. */
  coordinators: CoordinatorProcess[];
  /** The first coordinator's. */
  coordinatorAddress: string;
  httpPort: number;
  coordinator: RunningProcess;
  modelsDir: string;
  /** Starts coordinator `index` again on its ports once it has been killed; `extraEnv` (e.g. a log level) for this run only. */
  restartCoordinator(index: number, extraEnv?: Record<string, string>): Promise<CoordinatorProcess>;
  /** Starts an agent; `coordinators` is its comma-separated address list (default: the first coordinator). */
  startAgent(name: string, extraEnv?: Record<string, string>, coordinators?: string): Promise<RunningProcess>;
  agents: Map<string, RunningProcess>;
  close(): Promise<void>;
}

/** Fast lease timings so that fault tests finish in seconds. */
export const TEST_TIMINGS = {
  ATELIER_HEARTBEAT_MS: "300",
  ATELIER_LEASE_TTL_MS: "2000",
  ATELIER_SWEEP_MS: "300",
};

/**
 * A real farm of separate processes: a coordinator (`atelier up`) on a fresh
 * Postgres database, NATS with a unique subject prefix and an S3-compatible
 * server over HTTP with its own bucket; agents are started on demand.
 */
export interface FarmOptions {
  coordinatorEnv?: Record<string, string>;
  coordinators?: number;
  /** Puts something (a fault-injecting proxy) between the farm and the S3 server; returns the endpoint to use. */
  s3Front?: (endpoint: string) => Promise<{ endpoint: string; close(): Promise<void> }>;
  /** Last say over the coordinators' environment (e.g. services reached through fault proxies). */
  rewriteEnv?: (env: Record<string, string>) => Record<string, string>;
  /**
   * The S3 server publishes its event notifications on NATS (as MinIO's NATS
   * target does) and the coordinators confirm uploads by them; a notification
   * `drop` returns true for is lost on the way.
   */
  storeNotices?: { drop?: (notification: string) => boolean };
}

export async function startFarm(options: FarmOptions = {}): Promise<FarmFixture> {
  const scratch = mkdtempSync(join(tmpdir(), "atelier-e2e-"));
  const database = await createTestDatabase();
  const noticeSubject = options.storeNotices ? `e2e-store-notices-${randomBytes(4).toString("hex")}` : undefined;
  const noticeBus = noticeSubject === undefined ? undefined : await connectNatsBus({ servers: await natsUrl(), name: "e2e-store-notices" });
  const notify = (payload: Uint8Array) => {
    if (!options.storeNotices?.drop?.(Buffer.from(payload).toString())) noticeBus!.publishForeign(noticeSubject!, payload);
  };
  const s3 = await startEmbeddedS3({ directory: join(scratch, "s3"), ...(noticeBus ? { notify } : {}) });
  const bucket = `e2e-${randomBytes(4).toString("hex")}`;
  const store = createS3ObjectStore({ endpoint: s3.endpoint, region: "us-east-1", bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
  const modelsDir = join(scratch, "models");
  await ensureDemoModel(modelsDir);
  const front = options.s3Front ? await options.s3Front(s3.endpoint) : undefined;
  const baseEnv: Record<string, string> = {
    DATABASE_URL: database.url,
    NATS_URL: await natsUrl(),
    NATS_SUBJECT_PREFIX: `e2e-${randomBytes(4).toString("hex")}`,
    S3_ENDPOINT: front?.endpoint ?? s3.endpoint,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    ATELIER_GRPC_HOST: "127.0.0.1",
    ATELIER_HTTP_HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    ...TEST_TIMINGS,
    ...(noticeSubject === undefined ? {} : { ATELIER_STORE_EVENTS_SUBJECT: noticeSubject }),
    ...options.coordinatorEnv,
  };
  const sharedEnv = options.rewriteEnv ? options.rewriteEnv(baseEnv) : baseEnv;
  const coordinators: CoordinatorProcess[] = [];
  for (let i = 0; i < (options.coordinators ?? 1); i++) {
    coordinators.push(await startCoordinator(sharedEnv));
  }
  const { address: coordinatorAddress, httpPort, process: coordinator } = coordinators[0]!;
  const admin = localAdmin(database.db);
  const adminToken = (await admin.createToken({ tenant: "e2e", role: "admin", name: "farm fixture" })).token;
  const clients: AtelierClient[] = [];
  const clientFor = (address: string, options: ClientOptions = {}) => {
    const made = new AtelierClient(address, { token: adminToken, ...options });
    clients.push(made);
    return made;
  };
  const credentials = new Map<string, string>();
  const enroll = async (name: string) => {
    await admin.revokeAgent(name);
    const { credential } = await admin.enrollAgent(name, "");
    credentials.set(name, credential);
    return credential;
  };
  const client = clientFor(coordinatorAddress);
  const agents = new Map<string, RunningProcess>();

  return {
    database,
    store,
    bucket,
    client,
    adminToken,
    cliEnv: { ATELIER_TOKEN: adminToken },
    clientFor,
    mintToken: async (tenant, role = "user") => (await admin.createToken({ tenant, role, name: "test" })).token,
    enroll,
    credentials,
    natsPrefix: baseEnv.NATS_SUBJECT_PREFIX!,
    coordinators,
    coordinatorAddress,
    httpPort,
    coordinator,
    modelsDir,
    agents,
    async startAgent(name, extraEnv = {}, addresses = coordinatorAddress) {
      const credential = await enroll(name);
      const agent = startAtelier(["agent", "--coordinator", addresses, "--name", name, "--models", modelsDir], {
        ATELIER_AGENT_TOKEN: credential,
        LOG_LEVEL: "warn",
        ATELIER_RECONNECT_BASE_MS: "200",
        ...extraEnv,
      });
      agents.set(name, agent);
      await waitFor(`agent ${name} to connect`, async () => {
        if (agent.child.exitCode !== null) throw new Error(`agent ${name} exited:\n${agent.output()}`);
        const listed = await client.listAgents();
        return listed.some((a) => a.name === name && a.status === "online");
      });
      return agent;
    },
    async restartCoordinator(index, extraEnv = {}) {
      const old = coordinators[index]!;
      if (old.process.child.exitCode === null && old.process.child.signalCode === null) throw new Error(`coordinator ${index} is still running`);
      await old.process.exited;
      const grpcPort = Number(old.address.split(":")[1]);
      coordinators[index] = await startCoordinator({ ...sharedEnv, ...extraEnv }, { grpcPort, httpPort: old.httpPort });
      return coordinators[index];
    },
    async close() {
      for (const made of clients) made.close();
      const all = [...agents.values(), ...coordinators.map((c) => c.process)];
      for (const proc of all) if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGKILL");
      await Promise.all(all.map((p) => p.exited));
      await store.close();
      await front?.close();
      await s3.close();
      await noticeBus?.close();
      await database.drop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

async function startCoordinator(env: Record<string, string>, ports?: { grpcPort: number; httpPort: number }): Promise<CoordinatorProcess> {
  const { grpcPort, httpPort } = ports ?? { grpcPort: await freePort(), httpPort: await freePort() };
  const process = startAtelier(["up"], { ...env, ATELIER_GRPC_PORT: String(grpcPort), ATELIER_HTTP_PORT: String(httpPort) });
  await waitFor("the coordinator's /healthz", async () => {
    if (process.child.exitCode !== null) throw new Error(`coordinator exited:\n${process.output()}`);
    return (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok;
  });
  return { process, address: `127.0.0.1:${grpcPort}`, httpPort };
}
