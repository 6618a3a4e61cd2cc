import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { waitForMidShard } from "../support/mid-shard.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";

const ITEMS = 200;

// docs/reliability.md, scenario 3.
describe("an agent partitioned from the coordinator while S3 stays reachable", () => {
  let farm: FarmFixture;
  let link: Awaited<ReturnType<typeof startTcpProxy>>;
  beforeAll(async () => {
    farm = await startFarm({ coordinatorEnv: { ATELIER_MAX_SHARD_ITEMS: "8" } });
    const port = Number(farm.coordinatorAddress.split(":")[1]);
    link = await startTcpProxy("127.0.0.1", port);
    await farm.startAgent("agent-1");
    // agent-2 reaches the coordinator only through a link the test can cut.
    await farm.startAgent("agent-2", {}, `127.0.0.1:${link.port}`);
  });
  afterAll(async () => {
    await farm?.close();
    await link?.close();
  });

  it("self-fences; after healing its late reports are refused and the counts are exact", async () => {
    const { db } = farm.database;
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "partition", priority: 0, baseSeed: 0, defaults: { model: "atelier-demo", width: 256, height: 256, steps: 20, guidance: 7.5, sampler: "euler" } },
      promptSpecs(ITEMS),
    );
    const victim = await waitForMidShard(db, batchId, { agent: "agent-2", minOpen: 3 });
    link.cut();
    await waitFor("the partitioned lease to expire", async () => {
      const [row] = await db.query<{ state: string }>(`SELECT state FROM shard WHERE id = $1`, [victim.shardId]);
      return row!.state === "expired";
    }, 30_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    link.heal();

    const last = await finalProgress(farm.client, batchId);
    expect(last).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: ITEMS, failed: 0 });
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(ITEMS));
    const late = await db.query(
      `SELECT o.id FROM output o JOIN shard s ON s.epoch = o.epoch WHERE s.id = $1 AND o.created_at > s.ended_at`,
      [victim.shardId],
    );
    expect(late).toEqual([]);
    await waitFor("agent-2 back online", async () => (await farm.client.listAgents()).some((a) => a.name === "agent-2" && a.status === "online"), 60_000);
  }, 180_000);
});
