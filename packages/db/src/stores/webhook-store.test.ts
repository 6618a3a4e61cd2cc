import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../open-database.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { batchStore } from "./batch-store.ts";
import { webhookStore } from "./webhook-store.ts";

const settings = { model: "m", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" };
const DAY_MS = 86_400_000;

describe("webhook deliveries in Postgres", () => {
  let test: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    test = await createTestDatabase();
    db = test.db;
  });
  afterAll(() => test.drop());

  const endpoint = (id: string, tenantId: string, events: ("batch.completed" | "batch.failed" | "item.exhausted")[]) =>
    webhookStore.addEndpoint(db, { id, tenantId, url: `http://127.0.0.1:9/${id}`, events, secret: `whsec_${id}` });

  it("records an event once per subscribed endpoint, however often it is enqueued", async () => {
    await endpoint("e-gate", "t1", ["item.exhausted"]);
    await endpoint("e-batch", "t1", ["batch.completed"]);
    await endpoint("e-other", "t2", ["item.exhausted"]);
    const event = { tenantId: "t1", type: "item.exhausted" as const, key: "item.exhausted:42", data: { itemId: "42" } };
    expect(await webhookStore.enqueue(db, event)).toBe(1);
    expect(await webhookStore.enqueue(db, event)).toBe(0);
    const rows = await db.query<{ endpointId: string; payload: { type: string; data: unknown } }>(`SELECT endpoint_id AS "endpointId", payload FROM webhook_delivery`);
    expect(rows).toEqual([{ endpointId: "e-gate", payload: expect.objectContaining({ type: "item.exhausted", data: { itemId: "42" } }) }]);
  });

  it("derives batch events from finished batches, once, and only for endpoints that existed when the batch finished", async () => {
    await batchStore.begin(db, { id: "b-done", tenantId: "t1", name: "done", priority: 0, defaults: settings, maxAttempts: 5 });
    await batchStore.commit(db, "b-done", 0);
    await db.query(`UPDATE batch SET state = 'completed', finished_at = now() WHERE id = 'b-done'`);
    expect(await webhookStore.recordBatchEvents(db, DAY_MS)).toBe(1);
    expect(await webhookStore.recordBatchEvents(db, DAY_MS)).toBe(0);
    await endpoint("e-late", "t1", ["batch.completed"]);
    expect(await webhookStore.recordBatchEvents(db, DAY_MS)).toBe(0);
    const [row] = await db.query<{ payload: { type: string; data: { batchId: string; state: string } } }>(`SELECT payload FROM webhook_delivery WHERE endpoint_id = 'e-batch'`);
    expect(row!.payload).toMatchObject({ type: "batch.completed", data: { batchId: "b-done", state: "completed" } });
  });

  it("gives each due delivery to one claimer at a time, and takes only the answer of the attempt that holds it", async () => {
    const [a, b] = await Promise.all([webhookStore.claimDue(db, 1, 60_000), webhookStore.claimDue(db, 1, 60_000)]);
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(a![0]!.id).not.toBe(b![0]!.id);
    expect(await webhookStore.claimDue(db, 10, 60_000)).toEqual([]);

    // A lease that has run out: the next claim takes the row over as attempt 2; attempt 1's late answer changes nothing.
    await db.query(`UPDATE webhook_delivery SET lease_expires_at = now() WHERE id = $1`, [a![0]!.id]);
    const [again] = await webhookStore.claimDue(db, 10, 60_000);
    expect(again).toMatchObject({ id: a![0]!.id, attempt: 2 });
    expect(await webhookStore.markDelivered(db, again!.id, 1, 200)).toBe(false);
    expect(await webhookStore.markFailed(db, again!.id, 2, { status: 500, error: "HTTP 500", retryInMs: 1_000, retryForMs: DAY_MS })).toBe("pending");
    expect(await webhookStore.markDelivered(db, again!.id, 2, 200)).toBe(false);
  });

  it("gives a delivery up once its next attempt would fall past the retry window", async () => {
    const [, other] = await db.query<{ id: string }>(`SELECT id::text AS id FROM webhook_delivery ORDER BY id`);
    const attempt = (await db.query<{ attempts: number }>(`SELECT attempts FROM webhook_delivery WHERE id = $1`, [other!.id]))[0]!.attempts;
    expect(await webhookStore.markFailed(db, other!.id, attempt, { status: null, error: "no answer", retryInMs: 2 * DAY_MS, retryForMs: DAY_MS })).toBe("failed");
    expect(await webhookStore.claimDue(db, 10, 60_000)).toEqual([]);
  });
});
