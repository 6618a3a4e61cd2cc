import * as grpc from "@grpc/grpc-js";
import { openDatabase, type Database } from "@atelier/db";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CoordinatorConfig } from "./config.ts";
import { startCoordinator, type Coordinator } from "./coordinator.ts";
import { connectNatsBus, createInProcessBus, type EventBus, type NatsBusOptions } from "./events/index.ts";
import type { Logger } from "@atelier/common";
import { defaultAgentCaps } from "./agent-caps.ts";
import { createS3ObjectStore, startEmbeddedS3, type ObjectStore } from "./storage/index.ts";
import { TrustedProxies } from "./http/request-guard.ts";
import { AddressRanges } from "./address-ranges.ts";
import { WebhookAddressPolicy } from "./webhooks/webhook-address-policy.ts";

export interface FarmRuntime {
  coordinator: Coordinator;
  db: Database;
  store: ObjectStore;
  bus: EventBus;
  /** What runs embedded in this process, for the operator to know. */
  embedded: { database: boolean; s3Endpoint?: string; bus: boolean };
  close(): Promise<void>;
}

/**
 * A coordinator with its infrastructure chosen by configuration: each of the
 * database, object store and event bus is the real service when configured
 * and the embedded one otherwise, through the same interfaces.
 */
export async function startFarmRuntime(config: CoordinatorConfig, log: Logger): Promise<FarmRuntime> {
  const closers: (() => Promise<void>)[] = [];
  try {
    const db = config.DATABASE_URL
      ? await openDatabase({ url: config.DATABASE_URL, poolSize: config.ATELIER_DB_POOL_SIZE, acquireTimeoutMs: config.ATELIER_DB_ACQUIRE_TIMEOUT_MS })
      : await openDatabase({ embedded: { dataDir: config.ATELIER_DATA_DIR } });
    closers.push(() => db.close());

    const bus = config.NATS_URL
      ? await connectNatsBus({ servers: config.NATS_URL, prefix: config.NATS_SUBJECT_PREFIX, name: "atelier-coordinator", ...natsSecurity(config) })
      : createInProcessBus();
    closers.push(() => bus.close());

    let s3Endpoint = config.S3_ENDPOINT;
    let credentials = { accessKeyId: config.S3_ACCESS_KEY_ID ?? "", secretAccessKey: config.S3_SECRET_ACCESS_KEY ?? "" };
    let embeddedS3: string | undefined;
    if (!s3Endpoint) {
      const directory = config.ATELIER_DATA_DIR ? join(config.ATELIER_DATA_DIR, "s3") : mkdtempSync(join(tmpdir(), "atelier-s3-"));
      const subject = config.ATELIER_STORE_EVENTS_SUBJECT;
      const s3 = await startEmbeddedS3({ directory, host: "127.0.0.1", port: 0, ...(subject ? { notify: (payload) => bus.publishForeign(subject, payload) } : {}) });
      closers.push(() => s3.close());
      s3Endpoint = embeddedS3 = s3.endpoint;
      credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
    }
    const store = createS3ObjectStore({
      endpoint: s3Endpoint,
      region: config.S3_REGION,
      bucket: config.S3_BUCKET,
      forcePathStyle: config.S3_FORCE_PATH_STYLE === "true",
      ...credentials,
    });
    closers.push(() => store.close());

    const coordinator = await startCoordinator({
      db,
      store,
      bus,
      log,
      grpcHost: config.ATELIER_GRPC_HOST,
      grpcPort: config.ATELIER_GRPC_PORT,
      httpHost: config.ATELIER_HTTP_HOST,
      httpPort: config.ATELIER_HTTP_PORT,
      defaults: { model: config.ATELIER_DEFAULT_MODEL, width: 512, height: 512, steps: 20, guidance: 7.5, sampler: "euler" },
      heartbeatIntervalMs: config.ATELIER_HEARTBEAT_MS,
      leaseTtlMs: config.ATELIER_LEASE_TTL_MS,
      sweepIntervalMs: config.ATELIER_SWEEP_MS,
      maxShardItems: config.ATELIER_MAX_SHARD_ITEMS,
      targetShardMs: config.ATELIER_SHARD_TARGET_MS,
      speculateAfterMs: config.ATELIER_SPECULATE_AFTER_MS,
      agingMsPerPriorityLevel: config.ATELIER_AGING_MS,
      maxAttempts: config.ATELIER_MAX_ATTEMPTS,
      presignedPutTtlMs: 15 * 60_000,
      watermark: config.ATELIER_WATERMARK === "true",
      webhooks: {
        pollMs: config.ATELIER_WEBHOOK_POLL_MS,
        timeoutMs: config.ATELIER_WEBHOOK_TIMEOUT_MS,
        backoff: { baseMs: config.ATELIER_WEBHOOK_RETRY_BASE_MS, maxMs: config.ATELIER_WEBHOOK_RETRY_MAX_MS },
        retryForMs: config.ATELIER_WEBHOOK_RETRY_FOR_MS,
        concurrency: 16,
        addresses: new WebhookAddressPolicy({ allowNetworks: AddressRanges.parse(config.ATELIER_WEBHOOK_ALLOW_NETWORKS) }),
      },
      dispatchPollMs: config.ATELIER_DISPATCH_POLL_MS,
      recordGapMs: config.ATELIER_RECORD_GAP_MS,
      storeEventsSubject: config.ATELIER_STORE_EVENTS_SUBJECT,
      outboxPollMs: 250,
      adminToken: config.ATELIER_ADMIN_TOKEN,
      loadSampleIntervalMs: config.ATELIER_LOAD_SAMPLE_MS,
      trustedProxies: TrustedProxies.parse(config.ATELIER_TRUSTED_PROXIES),
      authCacheTtlMs: config.ATELIER_AUTH_CACHE_MS,
      tenantLimits: {
        maxQueuedItems: config.ATELIER_TENANT_MAX_QUEUED,
        userPriority: { min: config.ATELIER_USER_PRIORITY_MIN, max: config.ATELIER_USER_PRIORITY_MAX },
      },
      submitIdleMs: config.ATELIER_SUBMIT_IDLE_MS,
      agentCaps: defaultAgentCaps(config.ATELIER_HEARTBEAT_MS, config.ATELIER_MAX_AGENT_SLOTS),
      ...grpcTls(config),
    });
    closers.push(() => coordinator.close());

    let closing: Promise<void> | undefined;
    return {
      coordinator,
      db,
      store,
      bus,
      embedded: { database: !config.DATABASE_URL, s3Endpoint: embeddedS3, bus: !config.NATS_URL },
      close() {
        closing ??= closeAll(closers);
        return closing;
      },
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close().catch(() => {});
}

/** NATS credentials and TLS from the configuration (files are read here, once). */
function natsSecurity(config: CoordinatorConfig): Pick<NatsBusOptions, "auth" | "tlsCa"> {
  const auth = config.NATS_CREDS
    ? { credentials: readFileSync(config.NATS_CREDS, "utf8") }
    : config.NATS_TOKEN
      ? { token: config.NATS_TOKEN }
      : config.NATS_USER && config.NATS_PASSWORD
        ? { user: config.NATS_USER, password: config.NATS_PASSWORD }
        : undefined;
  return { ...(auth ? { auth } : {}), ...(config.NATS_TLS_CA ? { tlsCa: readFileSync(config.NATS_TLS_CA, "utf8") } : {}) };
}

/** TLS for the gRPC port, mutual when a client CA is given; none when no certificate is. */
function grpcTls(config: CoordinatorConfig): { grpcCredentials?: grpc.ServerCredentials } {
  if (!config.ATELIER_TLS_CERT || !config.ATELIER_TLS_KEY) return {};
  const clientCa = config.ATELIER_TLS_CLIENT_CA ? readFileSync(config.ATELIER_TLS_CLIENT_CA) : null;
  const pair = { cert_chain: readFileSync(config.ATELIER_TLS_CERT), private_key: readFileSync(config.ATELIER_TLS_KEY) };
  return { grpcCredentials: grpc.ServerCredentials.createSsl(clientCa, [pair], clientCa !== null) };
}
