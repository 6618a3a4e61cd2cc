import { configFields, parseConfig } from "@atelier/common";
import { z } from "zod";
import { AddressRanges } from "./address-ranges.ts";

const port = configFields.port();
const ms = configFields.positiveMs();
const count = configFields.integer(1, 1_000_000);
/** A list of IP addresses and CIDR ranges, checked here so that a typo stops the start, not a request. */
const addressRanges = () => z.string().default("").superRefine((text, ctx) => {
  try {
    AddressRanges.parse(text);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
  }
});

/**
 * The coordinator's configuration, read once from the environment. Every
 * variable is optional: with none set, the farm runs embedded (PGlite, an S3
 * server on loopback, an in-process event bus).
 */
export const configSchema = z
  .object({
    /** Postgres connection string; unset runs embedded PGlite. */
    DATABASE_URL: z.string().url().optional(),
    /** Folder for the embedded database; unset keeps it in memory. */
    ATELIER_DATA_DIR: z.string().optional(),
    /** NATS servers, e.g. nats://127.0.0.1:4222; unset uses the in-process bus. */
    NATS_URL: z.string().optional(),
    /** Prefix for NATS subjects, to share one NATS between farms. */
    NATS_SUBJECT_PREFIX: z.string().default(""),
    /** NATS credentials, at most one kind: a .creds file (JWT + NKey), a token, or a user and password. */
    NATS_CREDS: z.string().optional(),
    NATS_TOKEN: z.string().optional(),
    NATS_USER: z.string().optional(),
    NATS_PASSWORD: z.string().optional(),
    /** PEM file of the CA that signed the NATS servers' certificates (TLS). */
    NATS_TLS_CA: z.string().optional(),
    /** S3-compatible endpoint (MinIO, Ceph, AWS); unset starts an S3 server on loopback. */
    S3_ENDPOINT: z.string().url().optional(),
    S3_BUCKET: z.string().min(3).default("atelier"),
    S3_REGION: z.string().default("us-east-1"),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    /**
     * The NATS subject on which the object store publishes S3 event notifications of the bucket (MinIO:
     * MINIO_NOTIFY_NATS_SUBJECT); the embedded store publishes its own there. An upload they confirm is
     * recorded without reading its object back. Unset: every object is read back.
     */
    ATELIER_STORE_EVENTS_SUBJECT: z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, "must be a NATS subject: tokens of letters, digits, _, - and $ joined by dots, no wildcards").optional(),
    /** Path-style URLs (MinIO, s3rver); set false for AWS virtual-hosted buckets. */
    S3_FORCE_PATH_STYLE: z.enum(["true", "false"]).default("true"),
    /** Postgres connections for this coordinator (lease renewals have two more of their own). */
    ATELIER_DB_POOL_SIZE: count.default(10),
    /** How long a call waits for a free connection before failing with UNAVAILABLE and a retry hint. */
    ATELIER_DB_ACQUIRE_TIMEOUT_MS: ms.default(5_000),
    ATELIER_GRPC_HOST: z.string().default("0.0.0.0"),
    ATELIER_GRPC_PORT: port.default(7070),
    ATELIER_HTTP_HOST: z.string().default("0.0.0.0"),
    ATELIER_HTTP_PORT: port.default(7080),
    ATELIER_HEARTBEAT_MS: ms.default(10_000),
    ATELIER_LEASE_TTL_MS: ms.default(30_000),
    ATELIER_SWEEP_MS: ms.default(10_000),
    /** How often the dispatcher looks for work nobody announced (retry backoffs ending); new batches wake it at once, through NATS across coordinators. */
    ATELIER_DISPATCH_POLL_MS: ms.default(1_000),
    ATELIER_MAX_SHARD_ITEMS: count.default(16),
    /** Statements that record outputs start at most once per this; outputs that arrive sooner go into one. */
    ATELIER_RECORD_GAP_MS: configFields.integer(0, 10_000).default(25),
    /** A shard should keep an agent busy this long at its measured rate. */
    ATELIER_SHARD_TARGET_MS: ms.default(10_000),
    /** An idle agent copies the unfinished tail of a shard that has run longer than this; 0 turns copies off. */
    ATELIER_SPECULATE_AFTER_MS: configFields.integer(0, 2 ** 31 - 1).default(20_000),
    /** Waiting this long raises a batch's priority by one level, so that nothing starves. */
    ATELIER_AGING_MS: ms.default(600_000),
    ATELIER_MAX_ATTEMPTS: count.default(5),
    /** Webhooks: the first retry waits up to this (full jitter), doubling per attempt up to ATELIER_WEBHOOK_RETRY_MAX_MS. */
    ATELIER_WEBHOOK_RETRY_BASE_MS: ms.default(5_000),
    ATELIER_WEBHOOK_RETRY_MAX_MS: ms.default(3_600_000),
    /** An event no receiver accepted within this is given up (Standard Webhooks: retry for a day). */
    ATELIER_WEBHOOK_RETRY_FOR_MS: ms.default(86_400_000),
    /** A receiver that has not answered within this fails the attempt. */
    ATELIER_WEBHOOK_TIMEOUT_MS: ms.default(10_000),
    /** How often due webhook deliveries are looked for. */
    ATELIER_WEBHOOK_POLL_MS: ms.default(1_000),
    /** Networks (IPs or CIDR ranges, comma-separated) webhooks may reach although private or special-purpose (a receiver inside the cluster); none by default. */
    ATELIER_WEBHOOK_ALLOW_NETWORKS: addressRanges(),
    /** Agents stamp an invisible watermark in every image (the XMP AI label is always written). */
    ATELIER_WATERMARK: z.enum(["true", "false"]).default("false"),
    ATELIER_DEFAULT_MODEL: z.string().default("atelier-demo"),
    /** Bootstrap dashboard sign-in secret (admin API tokens sign in too); unset, one is generated and, in a terminal, printed as a sign-in link. */
    ATELIER_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters: a short admin token can be guessed").optional(),
    /** Proxies (IPs or CIDR ranges, comma-separated) whose X-Forwarded-For and X-Forwarded-Proto the dashboard believes; none by default. */
    ATELIER_TRUSTED_PROXIES: addressRanges(),
    /** How often the farm's load is sampled for the dashboard's charts and atelier.farm.load. */
    ATELIER_LOAD_SAMPLE_MS: ms.default(5_000),
    /** How long a token's verdict is cached: a revoked token stops working within this. */
    ATELIER_AUTH_CACHE_MS: ms.default(2_000),
    /** Items one tenant may have queued or running at once; a submission past it is refused with RESOURCE_EXHAUSTED. */
    ATELIER_TENANT_MAX_QUEUED: ms.default(10_000_000),
    /** Priorities a user token may give its batches (admins: -1000 to 1000). */
    ATELIER_USER_PRIORITY_MIN: z.coerce.number().int().default(-10),
    ATELIER_USER_PRIORITY_MAX: z.coerce.number().int().default(10),
    /** A submission stream that sends nothing for this long is cut, and what it wrote removed. */
    ATELIER_SUBMIT_IDLE_MS: ms.default(30_000),
    /** Slots one agent may claim; it never holds more leases than this. */
    ATELIER_MAX_AGENT_SLOTS: ms.default(16),
    /** gRPC over TLS: PEM certificate chain and key files; both or neither. */
    ATELIER_TLS_CERT: z.string().optional(),
    ATELIER_TLS_KEY: z.string().optional(),
    /** PEM CA file: with it, every gRPC client (agents, CLI, SDK) must present a certificate that CA signed (mutual TLS). */
    ATELIER_TLS_CLIENT_CA: z.string().optional(),
    LOG_LEVEL: configFields.logLevel().default("info"),
  })
  .superRefine((config, ctx) => {
    if (config.ATELIER_HEARTBEAT_MS * 2 >= config.ATELIER_LEASE_TTL_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["ATELIER_HEARTBEAT_MS"],
        message: `must be under half of ATELIER_LEASE_TTL_MS (${config.ATELIER_LEASE_TTL_MS}): with fewer than two beats per lease, one lost heartbeat loses the lease`,
      });
    }
    if (config.ATELIER_USER_PRIORITY_MIN > config.ATELIER_USER_PRIORITY_MAX) {
      ctx.addIssue({ code: "custom", path: ["ATELIER_USER_PRIORITY_MIN"], message: `must not exceed ATELIER_USER_PRIORITY_MAX (${config.ATELIER_USER_PRIORITY_MAX})` });
    }
    if ([config.NATS_CREDS, config.NATS_TOKEN, config.NATS_USER].filter(Boolean).length > 1) {
      ctx.addIssue({ code: "custom", path: ["NATS_CREDS"], message: "give one kind of NATS credential: NATS_CREDS, NATS_TOKEN, or NATS_USER with NATS_PASSWORD" });
    }
    if (Boolean(config.NATS_USER) !== Boolean(config.NATS_PASSWORD)) {
      ctx.addIssue({ code: "custom", path: ["NATS_USER"], message: "NATS_USER and NATS_PASSWORD go together" });
    }
    if (config.ATELIER_TLS_CLIENT_CA && !config.ATELIER_TLS_CERT) {
      ctx.addIssue({ code: "custom", path: ["ATELIER_TLS_CLIENT_CA"], message: "mutual TLS needs the server's own certificate: set ATELIER_TLS_CERT and ATELIER_TLS_KEY too" });
    }
    if (Boolean(config.ATELIER_TLS_CERT) !== Boolean(config.ATELIER_TLS_KEY)) {
      ctx.addIssue({ code: "custom", path: ["ATELIER_TLS_CERT"], message: "ATELIER_TLS_CERT and ATELIER_TLS_KEY go together: TLS needs both the certificate and its key" });
    }
    if (config.S3_ENDPOINT && !(config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY)) {
      ctx.addIssue({ code: "custom", path: ["S3_ACCESS_KEY_ID"], message: "S3_ENDPOINT needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY" });
    }
  });

export type CoordinatorConfig = z.infer<typeof configSchema>;

/** Reads the environment once; a variable set to "" counts as unset. Throws a ConfigError naming every problem. */
export function loadConfig(env: Record<string, string | undefined>): CoordinatorConfig {
  return parseConfig(configSchema, env, { what: "configuration" });
}
