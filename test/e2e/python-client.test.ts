import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli-process.ts";
import { ensureDebianPackages } from "../support/debian-packages.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";

// Debian's Python, not a pyenv one: that is where python3-grpcio installs.
const PYTHON = "/usr/bin/python3";
const hasGrpcTools = () => spawnSync(PYTHON, ["-c", "import grpc, grpc_tools"]).status === 0;

describe("a Python client generated from proto/ by grpc_tools", () => {
  let farm: FarmFixture;
  let stubs: string;
  beforeAll(async () => {
    ensureDebianPackages("Python's grpcio and grpc_tools", ["python3-grpcio", "python3-grpc-tools"], hasGrpcTools);
    stubs = mkdtempSync(join(tmpdir(), "atelier-py-"));
    const generated = spawnSync(PYTHON, ["-m", "grpc_tools.protoc", "-I", join(REPO_ROOT, "proto"), `--python_out=${stubs}`, `--grpc_python_out=${stubs}`,
      // Every file of the contract, as a user generating a client would take it.
      ...readdirSync(join(REPO_ROOT, "proto/atelier/v1")).filter((file) => file.endsWith(".proto")).map((file) => `atelier/v1/${file}`)], { encoding: "utf8" });
    expect(generated.stderr).toBe("");
    expect(generated.status).toBe(0);
    farm = await startFarm();
  }, 600_000);
  afterAll(async () => {
    await farm?.close();
    if (stubs) rmSync(stubs, { recursive: true, force: true });
  });

  it("submits with a bearer token as the token's tenant, and is refused UNAUTHENTICATED without one", async () => {
    const token = await farm.mintToken("python-studio");
    const run = spawnSync(PYTHON, [join(REPO_ROOT, "test/e2e/python/submit_batch.py")], {
      encoding: "utf8",
      env: { ...process.env, ATELIER_PY_STUBS: stubs, ATELIER_COORDINATOR: farm.coordinatorAddress, ATELIER_TOKEN: token },
      timeout: 120_000,
    });
    expect(run.stderr).toBe("");
    const [withToken, without] = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(withToken).toMatchObject({ call: "with token", ok: true, items: 2, tenant: "python-studio" });
    expect(without).toMatchObject({ call: "without token", ok: false, code: "UNAUTHENTICATED" });
    const rows = await farm.database.db.query<{ tenant_id: string; n: number }>(
      `SELECT b.tenant_id, count(i.id)::int AS n FROM batch b JOIN item i ON i.batch_id = b.id WHERE b.name = 'from python' GROUP BY b.tenant_id`);
    expect(rows).toEqual([{ tenant_id: "python-studio", n: 2 }]);
  }, 120_000);
});
