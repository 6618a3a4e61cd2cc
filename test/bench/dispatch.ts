// Benchmark: items per second through the whole Atelier farm with no GPU
// work (see support/atelier-farm-run.ts for what runs), after a probe of the
// object store's own PUT and verifying-GET rate. `dispatch-vs-bullmq.ts`
// runs the same farm beside a BullMQ baseline doing the same work.
import { numericFlags, printResult } from "./support/bench-report.ts";
import { runAtelierFarm } from "./support/atelier-farm-run.ts";

// The AWS SDK's documented switch for its notice that it will need Node 22 (the bench runs on 20).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const GOAL_ITEMS_PER_SECOND = 25_000;

// --notices 1: the coordinator confirms uploads by the S3 server's event notifications (ATELIER_STORE_EVENTS_SUBJECT).
// --s3-thread-pool: the S3 server's libuv pool (support/s3-child.ts; 0: libuv's default, 4).
const { notices, ...flags } = numericFlags({ items: 100_000, agents: 8, slots: 4, maxShardItems: 500, probeObjects: 2_000, notices: 0, s3ThreadPool: 1 });
const result = await runAtelierFarm({ ...flags, width: 64, height: 64, storeNotices: notices === 1 });
printResult({
  bench: "dispatch",
  items: flags.items,
  agents: flags.agents,
  slotsPerAgent: flags.slots,
  maxShardItems: flags.maxShardItems,
  s3ThreadPool: flags.s3ThreadPool || "libuv default (4)",
  goalItemsPerSecond: GOAL_ITEMS_PER_SECOND,
  goalMet: result.durable && result.itemsPerSecond >= GOAL_ITEMS_PER_SECOND,
  ...result,
});
if (!result.durable) process.exitCode = 1;
