import { DEFAULT_TEST_DATABASE_URL } from "@atelier/db/testing";
import type { AtelierClient } from "@atelier/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { natsUrl } from "../support/services.ts";
import { promptSpecs } from "../support/prompt-files.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";

const settings = { model: "atelier-demo", width: 128, height: 128, steps: 10, guidance: 7.5, sampler: "euler" };
const items = (n: number) => promptSpecs(n);

// docs/reliability.md, scenarios 9 and 11.
describe("NATS and Postgres going away while the farm renders", () => {
  let farm: FarmFixture;
  let nats: Awaited<ReturnType<typeof startTcpProxy>>;
  let postgres: Awaited<ReturnType<typeof startTcpProxy>>;
  let watcher: AtelierClient;
  beforeAll(async () => {
    const natsTarget = new URL(await natsUrl());
    nats = await startTcpProxy(natsTarget.hostname, Number(natsTarget.port || 4222));
    // The test databases live on the server DATABASE_URL names, whatever its host and port.
    const pgTarget = new URL(process.env.DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL);
    if (!pgTarget.hostname) throw new Error(`this test reaches Postgres over TCP; DATABASE_URL names no host: ${pgTarget.protocol}//${pgTarget.host}${pgTarget.pathname}`);
    postgres = await startTcpProxy(pgTarget.hostname.replace(/^\[(.*)\]$/, "$1"), Number(pgTarget.port || 5432));
    farm = await startFarm({
      coordinatorEnv: { ATELIER_MAX_SHARD_ITEMS: "8" },
      // The coordinator reaches both services through proxies the test can cut.
      rewriteEnv: (env) => {
        const database = new URL(env.DATABASE_URL!);
        database.hostname = "127.0.0.1";
        database.port = String(postgres.port);
        return { ...env, NATS_URL: `nats://127.0.0.1:${nats.port}`, DATABASE_URL: database.toString() };
      },
    });
    await Promise.all(["agent-1", "agent-2"].map((name) => farm.startAgent(name)));
    watcher = farm.clientFor(farm.coordinatorAddress);
  });
  afterAll(async () => {
    watcher?.close();
    await farm?.close();
    await nats?.close();
    await postgres?.close();
  });

  it("keeps rendering while NATS is down; progress resumes after it returns; counts exact", async () => {
    const { db } = farm.database;
    const { batchId } = await farm.client.submitBatch({ tenant: "studio", name: "nats-down", priority: 0, baseSeed: 0, defaults: settings }, items(150));
    await waitFor("rendering", async () => (await countOutputs(db, batchId)) > 10, 60_000, 50);
    expect(nats.connections()).toBeGreaterThan(0);
    nats.cut();
    const before = await countOutputs(db, batchId);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await countOutputs(db, batchId)).toBeGreaterThan(before); // rendering went on
    nats.heal();
    const last = await finalProgress(watcher, batchId);
    expect(last).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: 150 });
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(150));
  }, 180_000);

  it("survives Postgres dropping every connection mid-batch: no image lost or doubled", async () => {
    const { db } = farm.database;
    const { batchId } = await farm.client.submitBatch({ tenant: "studio", name: "pg-restart", priority: 0, baseSeed: 0, defaults: settings }, items(150));
    await waitFor("rendering", async () => (await countOutputs(db, batchId)) > 10, 60_000, 50);
    // The coordinator's connections run through the proxy, so the cut reaches them.
    expect(postgres.connections()).toBeGreaterThan(0);
    postgres.cut();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    postgres.heal();
    await waitFor("the batch to complete", async () => {
      const [row] = await db.query<{ state: string }>(`SELECT state FROM batch WHERE id = $1`, [batchId]);
      return row!.state === "completed";
    }, 120_000, 200);
    expect(await inspectBatch(db, farm.store, batchId)).toEqual(cleanState(150));
    // No shard ever held two live leases, and every item has exactly one output.
    const [doubled] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT item_id FROM output WHERE batch_id = $1 GROUP BY item_id HAVING count(*) > 1) d`,
      [batchId],
    );
    expect(doubled!.n).toBe(0);
  }, 180_000);
});

async function countOutputs(db: FarmFixture["database"]["db"], batchId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM output WHERE batch_id = $1`, [batchId]);
  return row!.n;
}
