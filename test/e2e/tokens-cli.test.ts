import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "@atelier/db/testing";
import { AtelierClient } from "@atelier/sdk";
import { ATELIER_BIN, runAtelier, startCommand, waitFor, type RunningProcess } from "../support/cli-process.ts";
import { freePort } from "../support/free-port.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";

// The token and enrollment commands as an operator and a tenant use them:
// beside the coordinator with its DATABASE_URL, or through the API with an
// admin token; a submission without a token says how to get one.

describe("atelier tokens and agents enroll", () => {
  let farm: FarmFixture;
  let file: string;
  beforeAll(async () => {
    farm = await startFarm();
    file = join(farm.modelsDir, "..", "two.jsonl");
    writeFileSync(file, '{"prompt":"a red circle","seed":1}\n{"prompt":"a blue square","seed":2}\n');
  }, 120_000);
  afterAll(() => farm?.close());

  const submit = (token: string | undefined) =>
    runAtelier(["submit", file, "--coordinator", farm.coordinatorAddress, "--model", "nobody-has-it"], { ATELIER_TOKEN: token ?? "", DATABASE_URL: "" });

  it("creates a token over the database, prints only it on stdout, and the tenant submits with it until it is revoked", async () => {
    const created = await runAtelier(["tokens", "create", "--tenant", "studio-a", "--name", "pipeline"], { DATABASE_URL: farm.database.url });
    expect(created.code).toBe(0);
    const token = created.output.split("\n").find((line) => line.startsWith("atl_"))!;
    expect(token).toMatch(/^atl_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const id = token.slice(4, 16);
    // Only the hash is stored.
    expect(await farm.database.db.query(`SELECT 1 FROM api_token WHERE token_hash = $1`, [token])).toEqual([]);
    const ok = await submit(token);
    expect(ok.code).toBe(0);
    const batchId = /batch ([0-9a-f-]{36})/.exec(ok.output)![1]!;
    expect(await farm.database.db.query(`SELECT tenant_id FROM batch WHERE id = $1`, [batchId])).toEqual([{ tenant_id: "studio-a" }]);

    const listed = await runAtelier(["tokens", "list", "--tenant", "studio-a", "--json"], { DATABASE_URL: farm.database.url });
    expect(JSON.parse(listed.output)).toEqual([expect.objectContaining({ id, tenant: "studio-a", role: "user", name: "pipeline", revokedAtMs: 0 })]);
    expect(listed.output).not.toContain(token.slice(17));

    expect((await runAtelier(["tokens", "revoke", id], { DATABASE_URL: farm.database.url })).code).toBe(0);
    const started = Date.now();
    let refused = await submit(token);
    while (refused.code === 0 && Date.now() - started < 5_000) refused = await submit(token);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain("a valid API token is required");
    expect(await farm.database.db.query(`SELECT action FROM audit_event WHERE target = $1 ORDER BY id`, [id])).toEqual([{ action: "token.create" }, { action: "token.revoke" }]);
  }, 120_000);

  it("creates tokens and enrolls agents through the API with an admin token, not with a user's", async () => {
    const viaApi = await runAtelier(["tokens", "create", "--tenant", "studio-b", "--coordinator", farm.coordinatorAddress], { ...farm.cliEnv, DATABASE_URL: "" });
    expect(viaApi.code).toBe(0);
    const userToken = viaApi.output.split("\n").find((line) => line.startsWith("atl_"))!;
    const denied = await runAtelier(["tokens", "create", "--tenant", "studio-b", "--role", "admin", "--coordinator", farm.coordinatorAddress], { ATELIER_TOKEN: userToken, DATABASE_URL: "" });
    expect(denied.code).toBe(1);
    expect(denied.output).toContain("only an admin token may create tokens");
    const enrolled = await runAtelier(["agents", "enroll", "--name", "gpu-07", "--pool", "a100", "--coordinator", farm.coordinatorAddress], { ...farm.cliEnv, DATABASE_URL: "" });
    expect(enrolled.code).toBe(0);
    expect(enrolled.output).toMatch(/^atla_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/m);
    const again = await runAtelier(["agents", "enroll", "--name", "gpu-07", "--coordinator", farm.coordinatorAddress], { ...farm.cliEnv, DATABASE_URL: "" });
    expect(again.output).toContain("agent gpu-07 is already enrolled; revoke its credential first");
    expect((await runAtelier(["agents", "revoke", "gpu-07", "--coordinator", farm.coordinatorAddress], { ...farm.cliEnv, DATABASE_URL: "" })).code).toBe(0);
  }, 120_000);

  it("a submission without a token says exactly how to get one, and sends nothing", async () => {
    const run = await submit(undefined);
    expect(run.code).toBe(2);
    expect(run.output).toContain("no API token: pass --token or set $ATELIER_TOKEN");
    expect(run.output).toContain("atelier tokens create --tenant NAME");
  }, 60_000);

  it("an agent without a credential says how to enroll", async () => {
    const run = await runAtelier(["agent", "--coordinator", farm.coordinatorAddress, "--models", farm.modelsDir], { ATELIER_AGENT_TOKEN: "" });
    expect(run.code).toBe(2);
    expect(run.output).toContain("atelier agents enroll --name NAME");
  }, 60_000);
});

describe("atelier up at first start", () => {
  it("in a terminal, creates an admin token and prints it once; logs carry only its id; a second start creates none", async () => {
    const database = await createTestDatabase();
    const started: RunningProcess[] = [];
    try {
      // A pseudo-terminal, as an operator's shell gives `atelier up`.
      const upInTerminal = async () => {
        const [grpcPort, httpPort] = [await freePort(), await freePort()];
        const command = `${process.execPath} ${ATELIER_BIN} up`;
        const run = startCommand("script", ["-qec", command, "/dev/null"], {
          DATABASE_URL: database.url, ATELIER_GRPC_PORT: String(grpcPort), ATELIER_HTTP_PORT: String(httpPort), ATELIER_GRPC_HOST: "127.0.0.1", ATELIER_HTTP_HOST: "127.0.0.1",
          NATS_URL: "", S3_ENDPOINT: "", LOG_LEVEL: "info",
        });
        started.push(run);
        await waitFor("the coordinator's dashboard line", async () => {
          if (run.child.exitCode !== null) throw new Error(`atelier up exited:\n${run.output()}`);
          return run.output().includes("dashboard ");
        });
        return { run, address: `127.0.0.1:${grpcPort}` };
      };
      const first = await upInTerminal();
      await waitFor("the first admin token", async () => /ATELIER_TOKEN=atl_/.test(first.run.output()));
      const token = /ATELIER_TOKEN=(atl_[0-9a-f]{12}_[A-Za-z0-9_-]{43})/.exec(first.run.output())![1]!;
      expect(first.run.output().split(token).length - 1).toBe(1);
      // The log line is written by the logger, apart from the terminal's line: wait for it too.
      const tokenLogLine = () => first.run.output().split(/\r?\n/).find((line) => line.includes("created the first admin token"));
      await waitFor("the first admin token's log line", async () => tokenLogLine() !== undefined);
      const logLine = tokenLogLine()!;
      expect(logLine).toContain(`"tokenId":"${token.slice(4, 16)}"`);
      const admin = new AtelierClient(first.address, { token, attempts: 1 });
      try {
        expect(await admin.listTokens()).toEqual([expect.objectContaining({ role: "admin", tenant: "admin" })]);
      } finally {
        admin.close();
      }
      first.run.child.kill("SIGTERM");
      await first.run.exited;

      const second = await upInTerminal();
      expect(second.run.output()).not.toContain("ATELIER_TOKEN=atl_");
      second.run.child.kill("SIGTERM");
      await second.run.exited;
    } finally {
      for (const run of started) if (run.child.exitCode === null) run.child.kill("SIGKILL");
      await database.drop();
    }
  }, 120_000);
});
