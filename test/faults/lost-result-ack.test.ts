import type { Database } from "@atelier/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { waitForMidShard } from "../support/mid-shard.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";

const ITEMS = 80;
// How long one try drops replies waiting for a result to be recorded: several renders and uploads on a
// busy machine (each can take a second or more there), well inside the lease.
const REPLIES_LOST_MS = 8_000;

// docs/reliability.md, scenario 5.
describe("a completion report whose reply is lost", () => {
  let farm: FarmFixture;
  let link: Awaited<ReturnType<typeof startTcpProxy>>;
  beforeAll(async () => {
    // A 20 s lease: the agent hears no heartbeat ack while replies are lost (up to REPLIES_LOST_MS) and must
    // not self-fence meanwhile; it stops at TTL less 5 s.
    farm = await startFarm({ coordinatorEnv: { ATELIER_MAX_SHARD_ITEMS: "8", ATELIER_HEARTBEAT_MS: "500", ATELIER_LEASE_TTL_MS: "20000" } });
    link = await startTcpProxy("127.0.0.1", Number(farm.coordinatorAddress.split(":")[1]));
    await farm.startAgent("agent-1", { LOG_LEVEL: "info" }, `127.0.0.1:${link.port}`);
  });
  afterAll(async () => {
    await farm?.close();
    await link?.close();
  });

  it("is sent again under the same epoch and acknowledged as a duplicate: no second write, no lost lease", async () => {
    const { db } = farm.database;
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "lost-ack", priority: 0, baseSeed: 0, defaults: { model: "atelier-demo", width: 256, height: 256, steps: 20, guidance: 7.5, sampler: "euler" } },
      promptSpecs(ITEMS),
    );
    const unacknowledged = await loseReplies(db, link, batchId);

    const last = await finalProgress(farm.client, batchId);
    expect(last).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: ITEMS, failed: 0 });
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(ITEMS));

    const log = farm.agents.get("agent-1")!.output();
    // The agent sent what was never acknowledged again, and nothing it sent was refused.
    const resent = log.split("\n").filter((line) => line.includes("sending unacknowledged results again")).map((line) => JSON.parse(line) as { results: number });
    expect(resent.length).toBeGreaterThan(0);
    expect(Math.max(...resent.map((r) => r.results))).toBeGreaterThanOrEqual(unacknowledged.length);
    expect(log).not.toContain("result refused");

    // Each unacknowledged result kept its one row under its first epoch; the lost reply cost no lease.
    const rows = await db.query<{ itemId: string; epoch: string }>(
      `SELECT item_id::text AS "itemId", epoch::text AS epoch FROM output WHERE item_id = ANY($1::bigint[]) ORDER BY item_id`,
      [unacknowledged.map((r) => r.itemId)],
    );
    expect(rows).toEqual([...unacknowledged].sort((a, b) => Number(a.itemId) - Number(b.itemId)));
    // Their shards finished under the epoch they were sent with (the lost replies cost no lease), and each image was credited once.
    const [held] = await db.query<{ shards: string[]; credited: number }>(
      `SELECT (SELECT array_agg(DISTINCT s.state) FROM shard s JOIN output o ON o.epoch = s.epoch WHERE o.item_id = ANY($1::bigint[])) AS shards,
              (SELECT images_done::int FROM agent WHERE id = 'agent-1') AS credited`,
      [unacknowledged.map((r) => r.itemId)],
    );
    expect(held).toEqual({ shards: ["done"], credited: ITEMS });
  }, 120_000);
});

/**
 * Drops the coordinator's replies mid-shard until a result is recorded after
 * the drop began (its ack is then surely lost), then breaks the connection.
 * A try can catch nothing new (the agent's two result messages already await
 * acks lost in flight); it is then repeated on a later shard. Returns the
 * results recorded whose acks were lost.
 */
async function loseReplies(db: Database, link: Awaited<ReturnType<typeof startTcpProxy>>, batchId: string) {
  for (let attempt = 0; attempt < 5; attempt++) {
    // Mid-shard, so that no Assign is due while replies are lost: only result and heartbeat acks are. An
    // item of the shard done shows that its Assign reached the agent: a shard is leased in the database
    // before its Assign is sent, and an Assign lost to the mute left the agent nothing to render.
    await waitForMidShard(db, batchId, { minOpen: 4, minDone: 1, intervalMs: 10 });
    link.mute();
    const [{ mutedAt }] = (await db.query<{ mutedAt: Date }>(`SELECT now() AS "mutedAt"`)) as [{ mutedAt: Date }];
    const lost = await waitFor("a result recorded after its reply was lost", async () => {
      const rows = await db.query<{ itemId: string; epoch: string }>(
        `SELECT item_id::text AS "itemId", epoch::text AS epoch FROM output WHERE batch_id = $1 AND created_at > $2`,
        [batchId, mutedAt],
      );
      return rows.length > 0 && rows;
    }, REPLIES_LOST_MS, 10).catch(() => undefined);
    link.cut();
    await new Promise((resolve) => setTimeout(resolve, 300));
    link.heal();
    if (lost) return lost;
  }
  throw new Error("no result was recorded while replies were dropped, in 5 tries");
}
