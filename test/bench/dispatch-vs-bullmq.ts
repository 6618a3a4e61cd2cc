// Benchmark: the Atelier farm of dispatch.ts beside the farm a user would
// build instead, a BullMQ queue on Redis, in the same run and on the same
// work per image: the same 64x64 PNG, one PUT of it to s3rver (objects in
// /dev/shm, a fresh server per side), one row per image in Postgres (same
// server, a database per side), the same items on the same concurrency
// (agents x slots against workers x concurrency). Each side ends with its
// own check: rows = items, no duplicates. The sides run one after the
// other (`--bullmq-first 1` swaps them), so that neither shares the cores.
import { note, numericFlags, printResult, round } from "./support/bench-report.ts";
import { runAtelierFarm } from "./support/atelier-farm-run.ts";
import { redisUrl, runBullmqFarm } from "./support/bullmq-farm-run.ts";

// The AWS SDK's documented switch for its notice that it will need Node 22 (the bench runs on 20).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const GOAL_RATIO = 1.5;

// --notices 1: the coordinator confirms uploads by the S3 server's event notifications (ATELIER_STORE_EVENTS_SUBJECT).
// --s3-thread-pool: the S3 server's libuv pool, the same for both sides (support/s3-child.ts; 0: libuv's default, 4).
const flags = numericFlags({ items: 20_000, agents: 8, slots: 4, maxShardItems: 500, bullmqFirst: 0, notices: 0, s3ThreadPool: 1 });
const work = { items: flags.items, agents: flags.agents, slots: flags.slots, width: 64, height: 64, s3ThreadPool: flags.s3ThreadPool };
// Before any work: a missing Redis should not cost a full Atelier run first.
await redisUrl();
const runAtelier = () => { note("atelier side"); return runAtelierFarm({ ...work, maxShardItems: flags.maxShardItems, probeObjects: 0, storeNotices: flags.notices === 1 }); };
const runBullmq = () => { note("bullmq side"); return runBullmqFarm(work); };
let atelier: Awaited<ReturnType<typeof runAtelierFarm>>;
let bullmq: Awaited<ReturnType<typeof runBullmqFarm>>;
if (flags.bullmqFirst) {
  bullmq = await runBullmq();
  atelier = await runAtelier();
} else {
  atelier = await runAtelier();
  bullmq = await runBullmq();
}
const ratio = round(atelier.itemsPerSecond / bullmq.itemsPerSecond, 2);
// s3rver serves every request on one JavaScript thread. Its CPU per item on each side bounds that
// side's items per second, whatever else runs: the baseline asks one PUT per item, Atelier a PUT and
// the verifying ranged GET (with --notices 1, a PUT and a notification, and the GET for one item in
// 16). Each bound is given as a ratio to the baseline's measured rate.
const boundOf = (eventLoopMsPerItem: number) => ({
  eventLoopMsPerItem,
  maxItemsPerSecond: Math.round(1000 / eventLoopMsPerItem),
  maxRatio: round(1000 / eventLoopMsPerItem / bullmq.itemsPerSecond, 2),
});
const storeBound = { bullmq: boundOf(bullmq.cpuMsPerItem.s3rverEventLoop!), atelier: boundOf(atelier.cpuMsPerItem.s3rverEventLoop!) };
printResult({
  bench: "dispatch-vs-bullmq",
  items: flags.items,
  agents: flags.agents,
  slotsPerAgent: flags.slots,
  order: flags.bullmqFirst ? "bullmq, atelier" : "atelier, bullmq",
  s3ThreadPool: flags.s3ThreadPool || "libuv default (4)",
  // How the coordinator checks outputs: by reading each object back, or by the store's notices.
  atelierChecks: flags.notices === 1 ? "store notices (ATELIER_STORE_EVENTS_SUBJECT)" : "read back",
  // Atelier items/s divided by the baseline's.
  ratio,
  goalRatio: GOAL_RATIO,
  goalMet: atelier.durable && bullmq.durable && ratio >= GOAL_RATIO,
  // The object store's one thread as the bound of each side (see boundOf above).
  storeBound,
  guarantees: {
    atelier: "every item leased with a fencing epoch (results from a stale lease are refused), exactly one output row per item (a unique key; duplicates cannot be recorded), every object verified before it is recorded (its size and its ETag against the MD5 the agent reported; its PNG signature and dimensions read back, for every object or, with store notices, for each agent stream's first and one in 16), every agent and every tenant's client authenticated on every call, live progress (batch counters and events)",
    bullmq: "at-least-once jobs (a stalled job runs again and may write its row twice); the job lock stops a stalled worker from completing a job it lost, not from writing its object and row, so nothing fences the side effects; no verification (the row records what the worker sent, the object is never read back); no authentication beyond access to Redis, S3 and Postgres; progress only as queue counts",
  },
  atelier,
  bullmq,
});
if (!atelier.durable || !bullmq.durable) process.exitCode = 1;
