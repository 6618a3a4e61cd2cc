import { rmSync, writeFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtelier, startAtelier, waitFor, type RunningProcess } from "../support/cli-process.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { makeTestCertificates, type TestCertificates } from "../support/test-certificates.ts";

// Transport: with ATELIER_TLS_CERT/KEY the gRPC port speaks only TLS, and with
// ATELIER_TLS_CLIENT_CA only to clients whose certificate that CA signed. A
// plaintext client, and a TLS client without a certificate, get nowhere; an
// agent and the CLI with theirs render and submit as usual.

describe("gRPC over mutual TLS", () => {
  let certs: TestCertificates;
  let farm: FarmFixture;
  let agent: RunningProcess | undefined;
  beforeAll(async () => {
    certs = makeTestCertificates();
    farm = await startFarm({ coordinatorEnv: { ATELIER_TLS_CERT: certs.serverCert, ATELIER_TLS_KEY: certs.serverKey, ATELIER_TLS_CLIENT_CA: certs.ca } });
  }, 120_000);
  afterAll(async () => {
    if (agent && agent.child.exitCode === null) agent.child.kill("SIGKILL");
    await farm?.close();
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
  });

  it("refuses plaintext and certificate-less clients; serves an agent and the CLI that present theirs", async () => {
    const codeOf = (promise: Promise<unknown>) => promise.then(() => "ok", (error: grpc.ServiceError) => grpc.status[error.code]);
    const plaintext = farm.clientFor(farm.coordinatorAddress, { attempts: 1, unaryTimeoutMs: 3_000 });
    const noCertificate = farm.clientFor(farm.coordinatorAddress, { attempts: 1, unaryTimeoutMs: 3_000, tls: { ca: certs.read(certs.ca) } });
    const mutual = farm.clientFor(farm.coordinatorAddress, { tls: { ca: certs.read(certs.ca), cert: certs.read(certs.clientCert), key: certs.read(certs.clientKey) } });
    expect(await codeOf(plaintext.getVersion())).toBe("UNAVAILABLE");
    expect(await codeOf(noCertificate.getVersion())).toBe("UNAVAILABLE");
    expect(await codeOf(mutual.getVersion())).toBe("ok");

    agent = startAtelier(
      ["agent", "--coordinator", farm.coordinatorAddress, "--name", "tls-agent", "--models", farm.modelsDir, "--tls-ca", certs.ca, "--tls-cert", certs.clientCert, "--tls-key", certs.clientKey],
      { ATELIER_AGENT_TOKEN: await farm.enroll("tls-agent"), LOG_LEVEL: "warn" },
    );
    await waitFor("the TLS agent to connect", async () => {
      if (agent!.child.exitCode !== null) throw new Error(`agent exited:\n${agent!.output()}`);
      return (await mutual.listAgents()).some((a) => a.name === "tls-agent" && a.status === "online");
    });
    const file = `${certs.dir}/prompts.jsonl`;
    writeFileSync(file, '{"prompt":"a red circle","seed":1}\n{"prompt":"a blue square","seed":2}\n');
    const tlsFlags = ["--tls-ca", certs.ca, "--tls-cert", certs.clientCert, "--tls-key", certs.clientKey];
    const submitted = await runAtelier(["submit", file, "--coordinator", farm.coordinatorAddress, "--width", "64", "--height", "64", "--steps", "4", ...tlsFlags], farm.cliEnv);
    expect(submitted.code).toBe(0);
    const batchId = /batch ([0-9a-f-]{36})/.exec(submitted.output)![1]!;
    expect(await finalProgress(mutual, batchId)).toMatchObject({ done: 2, failed: 0 });
    const refused = await runAtelier(["status", batchId, "--coordinator", farm.coordinatorAddress, "--tls-ca", certs.ca], farm.cliEnv);
    expect(refused.code).not.toBe(0);
  }, 180_000);
});
