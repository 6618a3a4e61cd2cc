import { randomBytes } from "node:crypto";
import type { TestDatabase } from "@atelier/db/testing";
import { startAtelier, waitFor, type RunningProcess } from "../../support/cli-process.ts";
import { freePort } from "../../support/free-port.ts";
import { natsUrl } from "../../support/services.ts";
import type { S3Child } from "./s3-child.ts";

export interface CoordinatorProcess {
  process: RunningProcess;
  pid: number;
  address: string;
  httpPort: number;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  stop(): Promise<void>;
}

/**
 * `atelier up` as its own process, the way an operator runs it, so that a
 * benchmark can read its CPU time and memory apart from the client's.
 */
export async function startCoordinatorProcess(env: Record<string, string>): Promise<CoordinatorProcess> {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const process = startAtelier(["up"], {
    ATELIER_GRPC_HOST: "127.0.0.1",
    ATELIER_HTTP_HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    ...env,
    ATELIER_GRPC_PORT: String(grpcPort),
    ATELIER_HTTP_PORT: String(httpPort),
  });
  await waitFor("the coordinator's /healthz", async () => {
    if (process.child.exitCode !== null) throw new Error(`coordinator exited:\n${process.output()}`);
    return (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok;
  });
  let stopping: Promise<void> | undefined;
  return {
    process,
    pid: process.child.pid!,
    address: `127.0.0.1:${grpcPort}`,
    httpPort,
    stop() {
      stopping ??= (async () => {
        if (process.child.exitCode !== null || process.child.signalCode !== null) return;
        process.child.kill("SIGTERM");
        const killer = setTimeout(() => process.child.kill("SIGKILL"), 10_000);
        await process.exited;
        clearTimeout(killer);
      })();
      return stopping;
    },
  };
}

/** A coordinator's environment on the benchmark's services: its database, NATS under a fresh prefix, and a fresh bucket on the S3 server. */
export async function servicesEnv(database: TestDatabase, s3: S3Child): Promise<Record<string, string>> {
  return {
    DATABASE_URL: database.url,
    NATS_URL: await natsUrl(),
    NATS_SUBJECT_PREFIX: `bench-${randomBytes(4).toString("hex")}`,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: `bench-${randomBytes(4).toString("hex")}`,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
}

