import { agentRegistry, batchStore, leaseStore, type Lease } from "@atelier/db";
import { createTestDatabase, type TestDatabase } from "@atelier/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutputRecorder } from "./output-recorder.ts";

const settings = { model: "m", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" };
const capabilities = { models: ["m"], maxWidth: 512, maxHeight: 512 };
const hello = { name: "a", gpu: "", memoryBytes: 0, providers: ["cpu"], models: ["m"], slots: 1, maxWidth: 512, maxHeight: 512, version: "t" };

describe("OutputRecorder", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(() => test.drop());

  it("records outputs that arrive together, from several agents, in a few statements, each once", async () => {
    const { db } = test;
    for (const id of ["a1", "a2"]) await agentRegistry.upsert(db, { id, ...hello });
    await batchStore.begin(db, { id: "b", tenantId: "t", name: "b", priority: 0, defaults: settings, maxAttempts: 3 });
    await batchStore.append(db, "b", Array.from({ length: 40 }, (_, index) => ({ ...settings, index, prompt: `p${index}`, negativePrompt: "", seed: index })));
    await batchStore.commit(db, "b", 40);
    const leases: [string, Lease][] = [];
    for (const agentId of ["a1", "a2"]) {
      leases.push([agentId, (await leaseStore.lease(db, "b", { ...capabilities, agentId, shardId: `s-${agentId}`, maxItems: 20, leaseTtlMs: 30_000 }))!]);
    }
    const recorder = new OutputRecorder(db, 0);
    const outcomes = await Promise.all(leases.flatMap(([agentId, lease]) => lease.items.map((item) =>
      recorder.record([{ batchId: "b", output: { agentId, itemId: item.itemId, epoch: lease.epoch, key: `k${item.itemId}`, sha256: "s", bytes: 1, width: 64, height: 64, renderMs: 1, metadata: {} } }]))));
    expect(outcomes.every((outcome) => outcome.outcomes.length === 1 && outcome.outcomes[0]!.accepted)).toBe(true);
    // One caller per statement hears the batch's counts: the first went alone, the other 39 together.
    const statements = outcomes.filter((outcome) => outcome.batches.length > 0);
    expect(statements.length).toBeLessThanOrEqual(3);
    expect(statements.at(-1)!.batches[0]).toMatchObject({ id: "b", done: 40 });
    const rows = await db.query<{ agent: string; n: number; credited: string }>(
      `SELECT o.agent_id AS agent, count(*)::int AS n, a.images_done::text AS credited FROM output o JOIN agent a ON a.id = o.agent_id
       WHERE o.batch_id = 'b' GROUP BY o.agent_id, a.images_done ORDER BY 1`);
    expect(rows).toEqual([{ agent: "a1", n: 20, credited: "20" }, { agent: "a2", n: 20, credited: "20" }]);
  });

  it("starts its statements at least the gap apart: outputs that arrive one by one meanwhile go into one", async () => {
    const { db } = test;
    await batchStore.begin(db, { id: "g", tenantId: "t", name: "g", priority: 0, defaults: settings, maxAttempts: 3 });
    await batchStore.append(db, "g", Array.from({ length: 20 }, (_, index) => ({ ...settings, index, prompt: `p${index}`, negativePrompt: "", seed: index })));
    await batchStore.commit(db, "g", 20);
    const lease = (await leaseStore.lease(db, "g", { ...capabilities, agentId: "a1", shardId: "s-gap", maxItems: 20, leaseTtlMs: 30_000 }))!;
    const recorder = new OutputRecorder(db, 1_000);
    const record = (item: (typeof lease.items)[number]) =>
      recorder.record([{ batchId: "g", output: { agentId: "a1", itemId: item.itemId, epoch: lease.epoch, key: `g${item.itemId}`, sha256: "s", bytes: 1, width: 64, height: 64, renderMs: 1, metadata: {} } }]);
    // The first after a quiet spell goes at once, alone.
    const first = await record(lease.items[0]!);
    expect(first.batches[0]).toMatchObject({ id: "g", done: 1 });
    // The rest arrive one at a time, each after the previous was handed over, well within the gap.
    const rest: ReturnType<typeof record>[] = [];
    for (const item of lease.items.slice(1)) {
      rest.push(record(item));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const outcomes = await Promise.all(rest);
    expect(outcomes.every((outcome) => outcome.outcomes[0]!.accepted)).toBe(true);
    expect(outcomes.filter((outcome) => outcome.batches.length > 0).map((outcome) => outcome.batches[0])).toEqual([expect.objectContaining({ id: "g", done: 20 })]);
  });
});
