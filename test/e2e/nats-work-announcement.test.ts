import type { AtelierClient } from "@atelier/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";
import { natsUrl } from "../support/services.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";

// Coordinators learn of each other's new batches through NATS; the
// dispatcher's poll of the database is only a safety net. Here the poll is a
// minute long, the agents are all on coordinator A and the batches are
// submitted on B, so only NATS can bring the work to them in time.
const POLL_MS = 60_000;
const settings = { model: "atelier-demo", width: 64, height: 64, steps: 4, guidance: 7.5, sampler: "euler" };

// docs/reliability.md, scenario 11.
describe("a new batch announced over NATS", () => {
  let farm: FarmFixture;
  let nats: Awaited<ReturnType<typeof startTcpProxy>>;
  let onB: AtelierClient;
  beforeAll(async () => {
    const target = new URL(await natsUrl());
    nats = await startTcpProxy(target.hostname, Number(target.port || 4222));
    farm = await startFarm({
      coordinators: 2,
      coordinatorEnv: { ATELIER_DISPATCH_POLL_MS: String(POLL_MS) },
      rewriteEnv: (env) => ({ ...env, NATS_URL: `nats://127.0.0.1:${nats.port}` }),
    });
    const [a, b] = farm.coordinators.map((c) => c.address);
    await Promise.all(["agent-1", "agent-2"].map((name) => farm.startAgent(name, {}, a)));
    onB = farm.clientFor(b!);
  });
  afterAll(async () => {
    onB?.close();
    await farm?.close();
    await nats?.close();
  });

  /** Database time from a batch's creation to its first lease, or undefined while nothing is leased. */
  async function firstLeaseAfterMs(batchId: string): Promise<number | undefined> {
    const [row] = await farm.database.db.query<{ ms: number | null }>(
      `SELECT (extract(epoch FROM min(s.leased_at) - b.created_at) * 1000)::int AS ms FROM batch b LEFT JOIN shard s ON s.batch_id = b.id WHERE b.id = $1 GROUP BY b.created_at`,
      [batchId],
    );
    return row?.ms ?? undefined;
  }

  const leased = (ms: number | undefined) => (ms === undefined ? undefined : { ms });

  it("reaches idle agents of another coordinator within a second, with the dispatcher's poll a minute long", async () => {
    const { batchId } = await onB.submitBatch({ tenant: "studio", name: "announced", priority: 0, baseSeed: 0, defaults: settings }, promptSpecs(20));
    const { ms } = await waitFor("the batch's first lease", async () => leased(await firstLeaseAfterMs(batchId)), 10_000, 20);
    expect(ms).toBeLessThan(1_000);
    expect(await finalProgress(onB, batchId)).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: 20, failed: 0 });
    expect(await inspectBatch(farm.database.db, farm.store, batchId)).toEqual(cleanState(20));
  });

  it("waits while NATS is cut; once NATS is back, the next announcement brings it along, long before the poll", async () => {
    const connections = nats.connections();
    expect(connections).toBeGreaterThanOrEqual(2);
    nats.cut();
    const held = await onB.submitBatch({ tenant: "studio", name: "held-back", priority: 0, baseSeed: 0, defaults: settings }, promptSpecs(20));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // The control: without NATS nothing brought the batch to A's agents.
    expect(await firstLeaseAfterMs(held.batchId)).toBeUndefined();
    nats.heal();
    // Both coordinators back on NATS, and a moment to subscribe again. (What B published into its buffer
    // while cut may or may not reach A: core NATS keeps nothing for a subscriber that is away.)
    await waitFor("both coordinators to reconnect to NATS", async () => nats.connections() >= connections, 30_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const next = await onB.submitBatch({ tenant: "studio", name: "next", priority: 0, baseSeed: 0, defaults: settings }, promptSpecs(20));
    // The dispatcher that the next batch wakes takes the older, held-back one first.
    const announced = performance.now();
    await waitFor("the held-back batch's first lease", async () => leased(await firstLeaseAfterMs(held.batchId)), 10_000, 20);
    expect(performance.now() - announced).toBeLessThan(5_000);
    for (const { batchId } of [held, next]) {
      expect(await finalProgress(onB, batchId)).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: 20, failed: 0 });
      expect(await inspectBatch(farm.database.db, farm.store, batchId)).toEqual(cleanState(20));
    }
  }, 90_000);
});
