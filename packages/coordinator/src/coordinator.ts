import { randomBytes, randomUUID } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { migrate, outboxStore, type Database, type RenderSettings } from "@atelier/db";
import { agentLinkService, farmService } from "@atelier/protocol";
import { AgentCommands } from "./agent-commands.ts";
import { defaultAgentCaps, type AgentCaps } from "./agent-caps.ts";
import { agentLinkHandler } from "./agent-link-service.ts";
import { Authenticator } from "./auth/authenticator.ts";
import { asCaller, guardFarm } from "./auth/farm-guard.ts";
import { toGrpcError } from "./errors.ts";
import type { AgentSession } from "./agent-session.ts";
import { Dispatcher } from "./dispatcher.ts";
import { OutputRecorder } from "./output-recorder.ts";
import { subjects, type EventBus } from "./events/index.ts";
import { farmHandlers } from "./farm-service.ts";
import { addHealthService } from "./health/health-service.ts";
import { startDashboard } from "./http/dashboard-app.ts";
import { ShardDurationTracker } from "./http/shard-duration-tracker.ts";
import { startLeaseSweeper } from "./lease-sweeper.ts";
import { startHttpServer, type Logger } from "@atelier/common";
import { createFarmMetrics } from "./metrics.ts";
import { startOutboxRelay } from "./outbox-relay.ts";
import { WebhookAddressPolicy } from "./webhooks/webhook-address-policy.ts";
import { startWebhookDelivery, type WebhookDeliveryOptions } from "./webhooks/webhook-delivery.ts";
import type { ObjectStore } from "./storage/index.ts";
import { parseStoreEvents, UploadLedger } from "./storage/upload-ledger.ts";
import { DEFAULT_TENANT_LIMITS, type TenantLimits } from "./tenant-limits.ts";
import type { TrustedProxies } from "./http/request-guard.ts";

export interface CoordinatorOptions {
  db: Database;
  store: ObjectStore;
  bus: EventBus;
  log: Logger;
  grpcHost: string;
  /** 0 picks a free port. */
  grpcPort: number;
  httpHost: string;
  httpPort: number;
  defaults: RenderSettings;
  heartbeatIntervalMs: number;
  leaseTtlMs: number;
  sweepIntervalMs: number;
  maxShardItems: number;
  targetShardMs: number;
  /** An idle agent copies the unfinished tail of a shard older than this; 0: never. Default: twice targetShardMs. */
  speculateAfterMs?: number;
  agingMsPerPriorityLevel: number;
  maxAttempts: number;
  presignedPutTtlMs: number;
  /** Webhook delivery; default DEFAULT_WEBHOOK_DELIVERY. */
  webhooks?: Omit<WebhookDeliveryOptions, "db" | "log">;
  /** Agents stamp the invisible watermark in every image; default false. */
  watermark?: boolean;
  dispatchPollMs: number;
  /** Statements that record outputs start at most once per this; outputs arriving sooner go together. Default 25. */
  recordGapMs?: number;
  /**
   * The subject on which the object store publishes S3 event notifications
   * of its bucket (MinIO's NATS target; the embedded store's, forwarded to the
   * bus). An upload they confirm is recorded without reading its object back.
   */
  storeEventsSubject?: string;
  /** How often the outbox is relayed to the bus when nothing kicks it. */
  outboxPollMs: number;
  /** The dashboard's sign-in secret; unset generates one (see Coordinator.adminToken). */
  adminToken?: string;
  /** How often the farm's load is sampled for the dashboard and `atelier.farm.load`. Default 5000. */
  loadSampleIntervalMs?: number;
  /** Proxies whose X-Forwarded-For and X-Forwarded-Proto the dashboard believes; default none. */
  trustedProxies?: TrustedProxies;
  /** How long a token's verdict is reused: revocation takes effect within this. Default 2000. */
  authCacheTtlMs?: number;
  /** Default: DEFAULT_TENANT_LIMITS. */
  tenantLimits?: TenantLimits;
  /** A SubmitBatch stream silent this long is cut and its rows removed. Default 30000. */
  submitIdleMs?: number;
  /** Default: DEFAULT_AGENT_CAPS, heartbeats at most four per interval. */
  agentCaps?: AgentCaps;
  /** TLS for the gRPC port; plaintext when unset. */
  grpcCredentials?: grpc.ServerCredentials;
}

export interface Coordinator {
  readonly id: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  /** Number of agents connected to this coordinator. */
  connectedAgents(): number;
  /** Signs in to the dashboard: the configured token, or one generated at start. */
  readonly adminToken: string;
  /** True when no token was configured: in a terminal, print a sign-in link; elsewhere admins sign in with admin API tokens. */
  readonly adminTokenGenerated: boolean;
  close(): Promise<void>;
}

/** Webhook delivery: attempts up to a day after the event, 5 s to an hour apart (full jitter), to globally reachable addresses only. */
export const DEFAULT_WEBHOOK_DELIVERY: Omit<WebhookDeliveryOptions, "db" | "log"> = {
  pollMs: 1_000,
  timeoutMs: 10_000,
  backoff: { baseMs: 5_000, maxMs: 3_600_000 },
  retryForMs: 24 * 3_600_000,
  concurrency: 16,
  addresses: new WebhookAddressPolicy(),
};

const GRPC_SERVER_OPTIONS: grpc.ServerOptions = {
  // Clients ping every 20 s; allow every 10 s so that no one is cut off for "too many pings".
  "grpc.http2.min_ping_interval_without_data_ms": 10_000,
  "grpc.keepalive_permit_without_calls": 1,
  "grpc.keepalive_time_ms": 20_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.max_receive_message_length": 16 * 1024 * 1024,
};

/**
 * Starts a coordinator on an open database, object store and event bus:
 * migrates the database, serves Farm and AgentLink over gRPC and /healthz and
 * /metrics over HTTP, and runs the dispatcher and the lease sweeper. Any
 * number may run against one database.
 */
export async function startCoordinator(options: CoordinatorOptions): Promise<Coordinator> {
  const { db, store, bus, log } = options;
  const id = randomUUID();
  await migrate(db);
  await store.ensureBucket();

  const sessions = new Map<string, AgentSession>();
  const auth = new Authenticator(db, { cacheTtlMs: options.authCacheTtlMs ?? 2_000 });
  const metrics = createFarmMetrics({
    queueDepth: async () => {
      const rows = await db.query<{ n: number }>(
        `SELECT coalesce(sum(total - done - failed - cancelled), 0)::int AS n FROM batch WHERE state IN ('queued', 'running')`,
      );
      return rows[0]?.n ?? 0;
    },
    liveLeases: async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM shard WHERE state = 'leased'`))[0]?.n ?? 0,
  });
  const shardDurations = new ShardDurationTracker({ db, histogram: metrics.shardSeconds, log, intervalMs: 2_000, maxFollowed: 100_000 });
  const dispatcher = new Dispatcher(
    db,
    store,
    () => sessions.values(),
    {
      leaseTtlMs: options.leaseTtlMs,
      maxShardItems: options.maxShardItems,
      targetShardMs: options.targetShardMs,
      speculateAfterMs: options.speculateAfterMs ?? 2 * options.targetShardMs,
      agingMsPerPriorityLevel: options.agingMsPerPriorityLevel,
      presignedPutTtlMs: options.presignedPutTtlMs,
      watermark: options.watermark ?? false,
      pollIntervalMs: options.dispatchPollMs,
    },
    (session, lease) => {
      metrics.leasesGranted.inc();
      shardDurations.leased(lease.shardId);
      log.debug({ agentId: session.id, batchId: lease.batchId, shardId: lease.shardId, epoch: lease.epoch, items: lease.items.length }, "shard leased");
    },
    (error) => log.error({ err: error }, "dispatch failed"),
  );
  const { storeEventsSubject } = options;
  const uploads = storeEventsSubject === undefined ? undefined : new UploadLedger({ bucket: store.bucket });
  const uploadNotices = uploads && bus.subscribeForeign(storeEventsSubject!, (payload) => uploads.note(parseStoreEvents(payload)));
  // Another coordinator's new batch is work for our agents too.
  const workSubscription = bus.subscribe(subjects.work, () => dispatcher.wake());
  const relay = startOutboxRelay({ db, bus, log, intervalMs: options.outboxPollMs });
  const webhookOptions = options.webhooks ?? DEFAULT_WEBHOOK_DELIVERY;
  const webhooks = startWebhookDelivery({ db, log, ...webhookOptions });
  const commands = new AgentCommands(db, bus, sessions, () => relay, (session, drain) => {
    session.draining = drain;
    if (!drain) dispatcher.wake();
  }, (why) => log.warn({ why }, "refused an agent command from the bus: only cancel and drain, well formed, are carried"));

  const server = new grpc.Server(GRPC_SERVER_OPTIONS);
  const farm = farmHandlers({
      db,
      store,
      bus,
      sessions,
      dispatcher: () => dispatcher,
      commands,
      announceWork: async (batchId) => {
        await outboxStore.add(db, subjects.work, { batchId });
        relay.kick();
      },
      log,
      intake: { defaults: options.defaults, maxAttempts: options.maxAttempts, insertChunkItems: 5_000 },
      tenantLimits: options.tenantLimits ?? DEFAULT_TENANT_LIMITS,
      submitIdleMs: options.submitIdleMs ?? 30_000,
      forgetCredentials: () => auth.forget(),
      kickWebhooks: () => webhooks.kick(),
      webhookAddresses: webhookOptions.addresses,
    });
  server.addService(farmService().service, guardFarm(farm, auth, (error) => toGrpcError(error, (e) => log.error({ err: e }, "farm request failed"))));
  server.addService(
    agentLinkService().service,
    {
      Connect: agentLinkHandler({
        db,
        store,
        bus,
        auth,
        sessions,
        dispatcher: () => dispatcher,
        metrics,
        log,
        recorder: new OutputRecorder(db, options.recordGapMs ?? 25),
        ...(uploads ? { uploads } : {}),
        options: { heartbeatIntervalMs: options.heartbeatIntervalMs, leaseTtlMs: options.leaseTtlMs, coordinatorId: id, caps: options.agentCaps ?? defaultAgentCaps(options.heartbeatIntervalMs) },
      }),
    },
  );
  // Readiness answers on the open /healthz and the gRPC health service: it
  // names the broken dependency, never the driver's message (hosts, users,
  // addresses), which goes to the log instead, once per outage.
  let databaseDown = false;
  const ready = async () => {
    try {
      await db.query("SELECT 1");
      databaseDown = false;
    } catch (error) {
      if (!databaseDown) log.warn({ err: error }, "not ready: the database does not answer");
      databaseDown = true;
      throw new Error("the database does not answer", { cause: error });
    }
  };
  const health = addHealthService(server, { services: ["atelier.v1.Farm", "atelier.v1.AgentLink"], ready, intervalMs: 5_000, log });
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.grpcHost}:${options.grpcPort}`, options.grpcCredentials ?? grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
  const adminToken = options.adminToken ?? randomBytes(24).toString("base64url");
  const dashboard = await startDashboard({
    db,
    store,
    bus,
    log,
    // Dashboard sessions are admins' (an admin token or the bootstrap secret signed them in).
    farm: (actor) => asCaller(farm, { actor, tenantId: "", admin: true }),
    metrics,
    coordinatorId: id,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    adminToken,
    loadSampleIntervalMs: options.loadSampleIntervalMs ?? 5_000,
    ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
  });
  const http = await startHttpServer({
    host: options.httpHost,
    port: options.httpPort,
    metrics: metrics.registry,
    ready,
    handle: (request, response, path) => dashboard.handle(request, response, path),
  });
  const sweeper = startLeaseSweeper({
    db,
    bus,
    log,
    metrics,
    intervalMs: options.sweepIntervalMs,
    onRequeued: () => dispatcher.wake(),
  });
  log.info({ coordinatorId: id, grpcPort, httpPort: http.port }, "coordinator started");

  let closing: Promise<void> | undefined;
  return {
    id,
    grpcPort,
    httpPort: http.port,
    connectedAgents: () => sessions.size,
    adminToken,
    adminTokenGenerated: options.adminToken === undefined,
    close() {
      closing ??= (async () => {
        health.close();
        dashboard.close();
        shardDurations.close();
        sweeper.close();
        dispatcher.close();
        relay.close();
        commands.close();
        workSubscription.unsubscribe();
        uploadNotices?.unsubscribe();
        uploads?.close();
        for (const session of sessions.values()) session.end();
        // Give in-flight calls a moment, then cut the long-lived streams.
        await Promise.race([
          new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
          new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref()),
        ]);
        server.forceShutdown();
        await webhooks.close();
        await http.close();
      })();
      return closing;
    },
  };
}
