// Benchmark: how long `atelier agent` takes from spawn until its coordinator
// lists it online (wall and CPU time), its resident memory once idle (no work queued), and the
// npm packages it loaded. The coordinator runs as its own process on
// Postgres, NATS and s3rver; each agent is a fresh process, as an operator
// starts one, tracing its modules with test/support/loaded-modules-hook.mjs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { localAdmin } from "@atelier/coordinator";
import { createTestDatabase } from "@atelier/db/testing";
import { ensureDemoModel } from "@atelier/diffusion";
import { AtelierClient } from "@atelier/sdk";
import { startAtelier, waitFor } from "../support/cli-process.ts";
import { LOADED_MODULES_HOOK, loadedPackages } from "../support/loaded-modules.ts";
import { note, numericFlags, printResult, round } from "./support/bench-report.ts";
import { servicesEnv, startCoordinatorProcess } from "./support/coordinator-process.ts";
import { processCpuSeconds } from "./support/cpu-usage.ts";
import { residentMemoryMb } from "../support/memory-usage.ts";
import { startS3Child } from "./support/s3-child.ts";

const FARM_ONLY = ["pg", "@prisma/client", "@aws-sdk/client-s3", "nats"];

const flags = numericFlags({ runs: 5, idleSeconds: 3 });
const scratch = mkdtempSync(join(tmpdir(), "atelier-bench-agent-"));
const database = await createTestDatabase();
const s3 = await startS3Child();
let coordinator: Awaited<ReturnType<typeof startCoordinatorProcess>> | undefined;
let client: AtelierClient | undefined;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  const modelsDir = join(scratch, "models");
  await ensureDemoModel(modelsDir);
  coordinator = await startCoordinatorProcess(await servicesEnv(database, s3));
  const admin = localAdmin(database.db);
  client = new AtelierClient(coordinator.address, { token: (await admin.createToken({ tenant: "bench", role: "admin", name: "bench" })).token });
  const startupMs: number[] = [];
  // CPU time to online: wall time varies with whatever else the machine runs.
  const startupCpuMs: number[] = [];
  const idleRssMb: number[] = [];
  let packages = new Set<string>();
  for (let run = 0; run < flags.runs; run++) {
    const name = `bench-agent-${run}`;
    const log = join(scratch, `${name}.modules`);
    const started = performance.now();
    const agent = startAtelier(["agent", "--coordinator", coordinator.address, "--name", name, "--models", modelsDir], {
      ATELIER_AGENT_TOKEN: (await admin.enrollAgent(name, "bench")).credential,
      LOG_LEVEL: "warn",
      NODE_OPTIONS: `--import=${LOADED_MODULES_HOOK}`,
      LOADED_MODULES_LOG: log,
    });
    await waitFor(`agent ${name} to connect`, async () => {
      if (agent.child.exitCode !== null) throw new Error(`agent ${name} exited:\n${agent.output()}`);
      return (await client!.listAgents()).some((a) => a.name === name && a.status === "online");
    }, 60_000, 20);
    startupMs.push(performance.now() - started);
    startupCpuMs.push(processCpuSeconds(agent.child.pid!) * 1000);
    await sleep(flags.idleSeconds * 1000);
    idleRssMb.push(residentMemoryMb(agent.child.pid!).rssMb);
    packages = loadedPackages(log);
    agent.child.kill("SIGTERM");
    await agent.exited;
    note(`run ${run}: ${round(startupMs.at(-1)!)} ms (${round(startupCpuMs.at(-1)!)} ms CPU) to online, ${round(idleRssMb.at(-1)!, 1)} MB idle`);
  }
  printResult({
    bench: "agent-startup",
    runs: flags.runs,
    startupMsMedian: round(median(startupMs)),
    startupMs: startupMs.map((ms) => round(ms)),
    startupCpuMsMedian: round(median(startupCpuMs)),
    startupCpuMs: startupCpuMs.map((ms) => round(ms)),
    idleRssMbMedian: round(median(idleRssMb), 1),
    idleRssMb: idleRssMb.map((mb) => round(mb, 1)),
    packagesLoaded: packages.size,
    farmOnlyPackagesLoaded: FARM_ONLY.filter((p) => packages.has(p)),
  });
} finally {
  client?.close();
  await coordinator?.stop();
  await s3.close();
  await database.drop();
  rmSync(scratch, { recursive: true, force: true });
}
