// Benchmark: how close the dispatcher's policy comes to the best possible
// makespan on a heterogeneous, failing farm, in a discrete-event simulation
// (virtual time, so a day of rendering takes seconds). The policy under test
// is the coordinator's own code: planShardSize and RateEstimate from
// @atelier/coordinator, with the batch choice of leaseStore.pickBatch
// mirrored; leases are lost and swept as the coordinator does it. Beside it,
// the same farm under a naive static split.
import { performance } from "node:perf_hooks";
import { note, numericFlags, printResult, round } from "./support/bench-report.ts";
import { coordinatorPolicy } from "./support/sim/coordinator-policy.ts";
import { farmScenario } from "./support/sim/farm-scenario.ts";
import { makespanLowerBound } from "./support/sim/lower-bound.ts";
import { naiveSplitPolicy } from "./support/sim/naive-split-policy.ts";
import { SimulatedFarm, type SimOutcome } from "./support/sim/simulated-farm.ts";

const GOAL_RATIO = 1.05;

const flags = numericFlags({ agents: 64, crashFraction: 0.1, seed: 1, maxShardItems: 16, targetShardMs: 10_000 });
const scenario = farmScenario({ agents: flags.agents, crashFraction: flags.crashFraction, seed: flags.seed });
// The coordinator's defaults (RELIABILITY.md): heartbeat 10 s, lease 30 s, sweep 10 s.
const timings = { heartbeatSeconds: 10, leaseTtlSeconds: 30, sweepSeconds: 10 };
const bound = makespanLowerBound(scenario);

const started = performance.now();
const policy = new SimulatedFarm(scenario, timings, coordinatorPolicy({
  targetShardMs: flags.targetShardMs, maxShardItems: flags.maxShardItems, probeItems: 2, agingMsPerPriorityLevel: 600_000,
})).run();
const naive = new SimulatedFarm(scenario, timings, naiveSplitPolicy()).run();
note(`simulated both in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const ratio = policy.makespanSeconds / bound.seconds;
printResult({
  bench: "farm-sim",
  agents: flags.agents,
  speeds: "0.25x to 2x",
  crashedAgents: scenario.agents.filter((a) => a.crashesAt !== undefined).length,
  tenants: scenario.batches.length,
  items: scenario.batches.reduce((n, b) => n + b.items, 0),
  modelSwitchSeconds: scenario.modelSwitchSeconds,
  timings,
  lowerBoundSeconds: round(bound.seconds, 1),
  ratio: round(ratio, 4),
  goalRatio: GOAL_RATIO,
  goalMet: ratio <= GOAL_RATIO,
  policy: summary(policy),
  naive: { ...summary(naive), ratio: round(naive.makespanSeconds / bound.seconds, 4) },
});

function summary(outcome: SimOutcome) {
  return { ...outcome, makespanSeconds: round(outcome.makespanSeconds, 1), tailSeconds: round(outcome.tailSeconds, 1) };
}
