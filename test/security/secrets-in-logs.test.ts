import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { DEFAULT_TEST_DATABASE_URL } from "@atelier/db/testing";
import * as grpc from "@grpc/grpc-js";
import { AtelierClient } from "@atelier/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAtelier, waitFor, type RunningProcess } from "../support/cli-process.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { startFaultyProxy, type Fault } from "../support/faulty-http-proxy.ts";
import { freePort } from "../support/free-port.ts";
import { promptSpecs } from "../support/prompt-files.ts";
import { natsUrl } from "../support/services.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";

// Attack 12 (docs: threat model): secrets never reach a log line. A farm
// whose every credential is a recognisable string (the Postgres and NATS
// passwords in their URLs, the S3 key pair, the bootstrap admin secret, API
// tokens, an agent credential, a dashboard session) runs at debug level
// through the failures that make programs print what they hold: Postgres
// and NATS cut mid-run, S3 answering 503 and resetting uploads, wrong tokens,
// and a coordinator that cannot reach its database at all. Every line the
// coordinator and the agent printed is then searched for every secret and
// for any presigned URL's signature.

const secret = (label: string) => `${label}${randomBytes(6).toString("hex")}`;
const SECRETS = {
  postgresPassword: secret("pgpw"),
  natsPassword: secret("natspw"),
  s3AccessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
  s3SecretAccessKey: secret("s3secret"),
  bootstrapToken: secret("bootstrap-admin-"),
};
/** The query parameters that make a presigned URL usable. */
const PRESIGNED = /X-Amz-(Signature|Credential|Security-Token)=/i;
/** Uploads of objects (a bucket and a key), not the bucket's own creation. */
const isObjectPut = (request: { method?: string; url?: string }) => request.method === "PUT" && /^\/[^/]+\/./.test(request.url ?? "");
const settings = { model: "atelier-demo", width: 64, height: 64, steps: 4, guidance: 7.5, sampler: "euler" };

/** Every line with any of `needles` in it, labelled by who printed it. */
function leaks(outputs: Record<string, string>, needles: string[]): string[] {
  const found: string[] = [];
  for (const [who, text] of Object.entries(outputs)) {
    for (const line of text.split("\n")) {
      const hit = needles.find((needle) => line.includes(needle));
      if (hit) found.push(`${who} printed ${JSON.stringify(hit)}: ${line.slice(0, 300)}`);
      else if (PRESIGNED.test(line)) found.push(`${who} printed a presigned URL's signature: ${line.slice(0, 300)}`);
    }
  }
  return found;
}

/** pino lines at warn (40) or above. */
const warnings = (text: string) => text.split("\n").filter((line) => /"level":(40|50|60)\b/.test(line));

describe("attack 12: secrets appear in no log line, even on connection errors", () => {
  let farm: FarmFixture;
  let agent: RunningProcess;
  let postgres: Awaited<ReturnType<typeof startTcpProxy>>;
  let nats: Awaited<ReturnType<typeof startTcpProxy>>;
  let s3: Awaited<ReturnType<typeof startFaultyProxy>>;
  /** Secrets that only exist once the farm runs: tokens, credentials, cookies, signatures. */
  const minted: string[] = [];
  let base: string;

  beforeAll(async () => {
    // The S3-compatible server (in this process) knows only its own key pair: teach it ours.
    const s3rverAccounts = createRequire(import.meta.url)("s3rver/lib/models/account.js") as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
    s3rverAccounts.DUMMY_ACCOUNT.createKeyPair(SECRETS.s3AccessKeyId, SECRETS.s3SecretAccessKey);
    const natsTarget = new URL(await natsUrl());
    nats = await startTcpProxy(natsTarget.hostname, Number(natsTarget.port || 4222));
    const pgTarget = new URL(process.env.DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL);
    postgres = await startTcpProxy(pgTarget.hostname.replace(/^\[(.*)\]$/, "$1"), Number(pgTarget.port || 5432));
    farm = await startFarm({
      coordinatorEnv: {
        LOG_LEVEL: "debug",
        ATELIER_ADMIN_TOKEN: SECRETS.bootstrapToken,
        S3_ACCESS_KEY_ID: SECRETS.s3AccessKeyId,
        S3_SECRET_ACCESS_KEY: SECRETS.s3SecretAccessKey,
      },
      // Uploads meet 503s and resets, so the agent retries and reports failures.
      s3Front: async (endpoint) => {
        s3 = await startFaultyProxy(endpoint, (request, n): Fault => (isObjectPut(request) && n % 3 === 1 ? "error-503" : isObjectPut(request) && n % 5 === 2 ? "reset" : "pass"));
        return s3;
      },
      // Postgres (trust auth here: the password is carried, never checked) and NATS through proxies the test cuts.
      rewriteEnv: (env) => {
        const database = new URL(env.DATABASE_URL!);
        database.username = "postgres";
        database.password = SECRETS.postgresPassword;
        database.hostname = "127.0.0.1";
        database.port = String(postgres.port);
        return { ...env, DATABASE_URL: database.toString(), NATS_URL: `nats://atelier:${SECRETS.natsPassword}@127.0.0.1:${nats.port}` };
      },
    });
    base = `http://127.0.0.1:${farm.httpPort}`;
    const credential = await farm.enroll("leak-agent");
    minted.push(credential, farm.adminToken);
    agent = startAtelier(["agent", "--coordinator", farm.coordinatorAddress, "--name", "leak-agent", "--models", farm.modelsDir], {
      ATELIER_AGENT_TOKEN: credential,
      LOG_LEVEL: "debug",
      ATELIER_RECONNECT_BASE_MS: "200",
    });
    await waitFor("the agent to connect", async () => {
      if (agent.child.exitCode !== null) throw new Error(`agent exited:\n${agent.output()}`);
      return (await farm.client.listAgents()).some((listed) => listed.name === "leak-agent" && listed.status === "online");
    });
  }, 180_000);
  afterAll(async () => {
    if (agent && agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill("SIGKILL");
    await agent?.exited;
    await farm?.close();
    await postgres?.close();
    await nats?.close();
  });

  it("through tokens, a dashboard session, failed uploads and Postgres and NATS outages", async () => {
    const userToken = await farm.mintToken("studio");
    const wrongToken = `atl_${randomBytes(6).toString("hex")}_${randomBytes(24).toString("base64url")}`;
    minted.push(userToken, wrongToken);

    // Calls with a right token, and with a wrong one.
    const user = farm.clientFor(farm.coordinatorAddress, { token: userToken });
    const { batchId } = await user.submitBatch({ tenant: "studio", name: "leaks", priority: 0, baseSeed: 0, defaults: settings }, promptSpecs(12));
    const impostor = new AtelierClient(farm.coordinatorAddress, { token: wrongToken, attempts: 1 });
    await expect(impostor.getBatch(batchId)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    impostor.close();

    // A wrong admin token and the right one at the dashboard, then an image through its presigned URL.
    const signIn = (token: string) => fetch(`${base}/api/session`, { method: "POST", headers: { "content-type": "application/json", origin: base }, body: JSON.stringify({ token }) });
    const wrongAdmin = `${SECRETS.bootstrapToken}-guess`;
    minted.push(wrongAdmin);
    expect((await signIn(wrongAdmin)).status).toBe(401);
    const signedIn = await signIn(SECRETS.bootstrapToken);
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;
    const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
    minted.push(cookie.split("=")[1]!, csrfToken);

    const { db } = farm.database;
    await waitFor("an image of the batch", async () => (await db.query(`SELECT 1 FROM output WHERE batch_id = $1 LIMIT 1`, [batchId])).length > 0, 120_000, 100);
    const [{ id: itemId } = { id: "" }] = await db.query<{ id: string }>(`SELECT item_id::text AS id FROM output WHERE batch_id = $1 LIMIT 1`, [batchId]);
    const image = await fetch(`${base}/api/items/${itemId}/image`, { headers: { cookie }, redirect: "manual" });
    expect(image.status).toBe(302);
    const signature = new URL(image.headers.get("location")!).searchParams.get("X-Amz-Signature");
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    minted.push(signature!);

    // NATS goes away and comes back: the client reconnects with the URL that holds the password.
    expect(nats.connections()).toBeGreaterThan(0);
    nats.cut();
    await waitFor("the coordinator's NATS client to try again while NATS is away", async () => nats.refused() > 0, 30_000, 50);
    nats.heal();
    await waitFor("the coordinator to reconnect to NATS", async () => nats.connections() > 0, 30_000, 100);

    // Postgres goes away: /healthz says which dependency, and nothing the driver said.
    postgres.cut();
    const health = await waitFor("/healthz to report the outage", async () => {
      const response = await fetch(`${base}/healthz`);
      return response.status === 503 ? response.text() : undefined;
    }, 30_000, 100);
    expect(health).toBe("unhealthy: the database does not answer\n");
    await waitFor("the coordinator to log the outage", async () => warnings(farm.coordinator.output()).some((line) => /database|postgres|ECONNRE|connection/i.test(line)), 30_000, 100);
    postgres.heal();
    await waitFor("/healthz to recover", async () => (await fetch(`${base}/healthz`)).ok, 60_000, 200);
    await waitFor("the batch to complete", async () => (await db.query<{ state: string }>(`SELECT state FROM batch WHERE id = $1`, [batchId]))[0]?.state === "completed", 120_000, 200);

    // The faults really happened.
    expect(s3.counts["error-503"] + s3.counts.reset).toBeGreaterThan(0);
    // At debug level both spoke: the agent a line per shard at least (its upload retries are silent), the coordinator
    // warned of the refused sign-in (and of the outage, waited for above).
    await waitFor("the coordinator's warning of the refused sign-in", async () => warnings(farm.coordinator.output()).some((line) => line.includes("dashboard sign-in refused")), 30_000, 100);
    const outputs = { coordinator: farm.coordinator.output(), agent: agent.output() };
    expect(outputs.agent.split("\n").filter((line) => line.includes('"msg":"shard started"')).length).toBeGreaterThan(0);
    expect(leaks(outputs, [...Object.values(SECRETS), ...minted])).toEqual([]);
  }, 300_000);

  it("when a coordinator cannot reach its database or NATS at all, or generates its admin token", async () => {
    const closedPort = await freePort();
    const base: Record<string, string> = { ATELIER_GRPC_HOST: "127.0.0.1", ATELIER_HTTP_HOST: "127.0.0.1", ATELIER_GRPC_PORT: String(await freePort()), ATELIER_HTTP_PORT: String(await freePort()), LOG_LEVEL: "debug", ATELIER_ADMIN_TOKEN: SECRETS.bootstrapToken };
    const runs: Record<string, string> = {};
    for (const [what, env] of Object.entries<Record<string, string>>({
      "no database": { DATABASE_URL: `postgresql://postgres:${SECRETS.postgresPassword}@127.0.0.1:${closedPort}/atelier` },
      "no NATS": { DATABASE_URL: farm.database.url, NATS_URL: `nats://atelier:${SECRETS.natsPassword}@127.0.0.1:${closedPort}` },
    })) {
      const coordinator = startAtelier(["up"], { ...base, ...env });
      // It gives up and says why, or keeps retrying and saying why: either way it has spoken.
      await waitFor(`a coordinator with ${what} to report it`, async () => coordinator.child.exitCode !== null || warnings(coordinator.output()).length > 0, 60_000, 100);
      if (coordinator.child.exitCode === null) coordinator.child.kill("SIGTERM");
      await coordinator.exited;
      runs[what] = coordinator.output();
      expect(runs[what]!.length, what).toBeGreaterThan(0);
    }
    expect(leaks(runs, Object.values(SECRETS))).toEqual([]);

    // With no ATELIER_ADMIN_TOKEN a secret is generated: printed in a terminal only, never into a piped log.
    const unset = { ...base, ATELIER_ADMIN_TOKEN: "", DATABASE_URL: farm.database.url };
    const coordinator = startAtelier(["up"], unset);
    await waitFor("a coordinator with a generated admin token to print where its dashboard is", async () => {
      if (coordinator.child.exitCode !== null) throw new Error(`coordinator exited:\n${coordinator.output()}`);
      return coordinator.output().includes("dashboard http://");
    }, 60_000, 100);
    coordinator.child.kill("SIGTERM");
    await coordinator.exited;
    expect(coordinator.output()).not.toContain("#token=");
  }, 150_000);
});
