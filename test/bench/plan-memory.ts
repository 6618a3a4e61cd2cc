// Benchmark: one plan of 1,000,000 items submitted to a coordinator process
// (`atelier up`, as an operator runs it) through the SDK's submitPlan. The
// plan is a few kilobytes; the coordinator expands it while it writes, so its
// resident memory must stay within the memory benchmark's bound (memory.ts:
// 200 MB with a million queued items and 100 agents). Peak = VmHWM, which
// includes the coordinator's start; RSS is also sampled every 100 ms.
// A dry run of the same plan follows (it checks and counts every item and
// writes nothing), with its own time and peak.
import { performance } from "node:perf_hooks";
import { localAdmin } from "@atelier/coordinator";
import { createTestDatabase } from "@atelier/db/testing";
import { AtelierClient, type Plan } from "@atelier/sdk";
import { residentMemoryMb } from "../support/memory-usage.ts";
import { note, numericFlags, printResult, round } from "./support/bench-report.ts";
import { servicesEnv, startCoordinatorProcess } from "./support/coordinator-process.ts";
import { startS3Child } from "./support/s3-child.ts";

const GOAL_PEAK_MB = 200; // issue 11

// colours x objects x seeds x 2 samplers items.
const flags = numericFlags({ colours: 100, objects: 100, seeds: 50 });
const plan: Plan = {
  prompts: ["a __colour__ __object__ on a white background"],
  wildcards: [
    { name: "colour", values: Array.from({ length: flags.colours }, (_, i) => `colour-${i}`) },
    { name: "object", values: Array.from({ length: flags.objects }, (_, i) => `object-${i}`) },
  ],
  seedRange: { first: 1, count: flags.seeds },
  axes: [{ name: "x", setting: "sampler", values: ["euler", "ddim"] }],
};
const expected = flags.colours * flags.objects * flags.seeds * 2;
const header = { tenant: "bench", name: "plan-memory", priority: 0, baseSeed: 7, defaults: { model: "bench-model", width: 512, height: 512, steps: 20, guidance: 7.5, sampler: "euler" } };

const database = await createTestDatabase();
const s3 = await startS3Child();
let coordinator: Awaited<ReturnType<typeof startCoordinatorProcess>> | undefined;
let client: AtelierClient | undefined;

try {
  note("starting the coordinator");
  coordinator = await startCoordinatorProcess(await servicesEnv(database, s3));
  const pid = coordinator.pid;
  const idle = residentMemoryMb(pid);
  let sampledPeakMb = 0;
  const sampler = setInterval(() => {
    if (coordinator!.process.child.exitCode === null && coordinator!.process.child.signalCode === null) sampledPeakMb = Math.max(sampledPeakMb, residentMemoryMb(pid).rssMb);
  }, 100);
  const { token } = await localAdmin(database.db).createToken({ tenant: "bench", role: "user", name: "bench" });
  client = new AtelierClient(coordinator.address, { token });

  note(`submitting a plan of ${expected} items`);
  let started = performance.now();
  const { batchId, itemCount } = await client.submitPlan(header, plan);
  const submitSeconds = (performance.now() - started) / 1000;
  const afterSubmit = residentMemoryMb(pid);

  note("a dry run of the same plan");
  started = performance.now();
  const dry = await client.submitPlan({ ...header, dryRun: true }, plan);
  const dryRunSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const end = residentMemoryMb(pid);

  note("counting rows");
  const [rows] = await database.db.query<{ items: number; euler: number; lastIndex: number; last: { prompt: string; seed: string; axes: unknown } }>(
    `SELECT count(*)::int AS items, count(*) FILTER (WHERE axes->>'x' = 'euler' AND sampler = 'euler')::int AS euler, max(index) AS "lastIndex",
            (SELECT json_build_object('prompt', prompt, 'seed', seed::text, 'axes', axes) FROM item WHERE batch_id = $1 AND index = $2) AS last
     FROM item WHERE batch_id = $1`,
    [batchId, expected - 1],
  );
  const durable = dry.itemCount === expected && dry.dryRun && itemCount === expected && rows!.items === expected && rows!.euler === expected / 2
    && rows!.lastIndex === expected - 1;
  printResult({
    bench: "plan-memory",
    items: expected,
    planBytes: JSON.stringify(plan).length,
    dryRunSeconds: round(dryRunSeconds, 1),
    dryRunMegapixelSteps: round(dry.megapixelSteps),
    submitSeconds: round(submitSeconds, 1),
    itemsPerSecond: round(expected / submitSeconds),
    peakRssMb: round(afterSubmit.peakMb, 1),
    goalPeakMb: GOAL_PEAK_MB,
    goalMet: durable && afterSubmit.peakMb <= GOAL_PEAK_MB,
    rssMb: { idle: round(idle.rssMb, 1), afterSubmit: round(afterSubmit.rssMb, 1), peakAfterDryRun: round(end.peakMb, 1), sampledPeak: round(sampledPeakMb, 1), end: round(end.rssMb, 1) },
    itemRows: rows!.items,
    lastItem: rows!.last,
    durable,
  });
  if (!durable) process.exitCode = 1;
} catch (error) {
  note(`failed (coordinator exit ${coordinator?.process.child.exitCode}, signal ${coordinator?.process.child.signalCode}); its last output:\n${coordinator?.process.output().slice(-4_000) ?? "(not started)"}`);
  throw error;
} finally {
  client?.close();
  await coordinator?.stop();
  await s3.close();
  await database.drop();
}
