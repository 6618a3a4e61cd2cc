import { randomBytes } from "node:crypto";
import { webhookStore } from "@atelier/db";
import { writeTestModel } from "@atelier/diffusion/testing";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtelier, waitFor } from "../support/cli-process.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";
import { signedHeaders, startReceiver } from "../support/webhook-receiver.ts";

// Retries 100-200 ms apart, so that four attempts take well under a second.
const FAST_RETRIES = { ATELIER_WEBHOOK_RETRY_BASE_MS: "100", ATELIER_WEBHOOK_RETRY_MAX_MS: "200", ATELIER_WEBHOOK_POLL_MS: "100", ATELIER_WEBHOOK_TIMEOUT_MS: "2000" };
// The receivers listen on loopback, which webhooks may not reach by default: this farm's operator allows it.
const LOOPBACK_ALLOWED = { ATELIER_WEBHOOK_ALLOW_NETWORKS: "127.0.0.0/8, ::1" };
const DEFAULTS = { model: "atelier-demo", width: 64, height: 64, steps: 2, guidance: 7.5, sampler: "euler" };

describe("signed webhooks", () => {
  let farm: FarmFixture;
  const receivers: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    farm = await startFarm({ coordinatorEnv: { ...FAST_RETRIES, ...LOOPBACK_ALLOWED } });
    await farm.startAgent("agent-1");
  });
  afterAll(async () => {
    await farm?.close();
    for (const receiver of receivers) await receiver.close();
  });

  /** Adds an endpoint with `atelier webhooks add` and returns its id and secret. */
  async function addEndpoint(tenant: string, url: string, events: string): Promise<{ id: string; secret: string }> {
    const run = await runAtelier(["webhooks", "add", url, "--tenant", tenant, "--events", events, "--coordinator", farm.coordinatorAddress, "--json"], farm.cliEnv);
    expect(run.code, run.output).toBe(0);
    return JSON.parse(run.output) as { id: string; secret: string };
  }

  it("delivers batch.completed, signed so that the standardwebhooks library verifies it; 500 three times then 200 is one accepted delivery", async () => {
    const receiver = await startReceiver((n) => (n < 3 ? 500 : 200));
    receivers.push(receiver);
    const { id, secret } = await addEndpoint("hooks-a", receiver.url, "batch.completed");
    const { batchId } = await farm.client.submitBatch({ tenant: "hooks-a", name: "hooked", priority: 0, baseSeed: 0, defaults: DEFAULTS }, promptSpecs(2));
    expect(await finalProgress(farm.client, batchId)).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: 2 });

    const [row] = await waitFor("the delivery to be accepted", async () => {
      const rows = await farm.database.db.query<{ state: string; attempts: number; msgId: string }>(
        `SELECT state, attempts, msg_id AS "msgId" FROM webhook_delivery WHERE endpoint_id = $1`,
        [id],
      );
      return rows[0]?.state === "delivered" && rows;
    }, 30_000);
    expect(row).toMatchObject({ state: "delivered", attempts: 4 });
    expect(receiver.received.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    // Every attempt carries the same webhook-id, and each verifies on its own.
    const verifier = new Webhook(secret);
    for (const request of receiver.received) {
      expect(request.headers["webhook-id"]).toBe(row!.msgId);
      const payload = verifier.verify(request.body, signedHeaders(request)) as { type: string; data: Record<string, unknown> };
      expect(payload).toMatchObject({ type: "batch.completed", data: { batchId, tenant: "hooks-a", state: "completed", total: 2, done: 2, failed: 0 } });
    }
    // A signature made with another secret, or over another body, does not verify.
    const accepted = receiver.received[3]!;
    expect(() => new Webhook(`whsec_${randomBytes(32).toString("base64")}`).verify(accepted.body, signedHeaders(accepted))).toThrow();
    expect(() => verifier.verify(accepted.body.replace("hooks-a", "hooks-b"), signedHeaders(accepted))).toThrow();
    // The delivery log says the same.
    const log = await runAtelier(["webhooks", "deliveries", id, "--coordinator", farm.coordinatorAddress, "--json"], farm.cliEnv);
    expect(log.code, log.output).toBe(0);
    expect(JSON.parse(log.output)).toEqual([expect.objectContaining({ messageId: row!.msgId, eventType: "batch.completed", state: "delivered", attempts: 4, lastStatus: 200 })]);
  }, 120_000);

  it("tells the tenant of each image the safety checker flagged and the farm quarantined (image.quarantined), once per image", async () => {
    // The test model's checker flags images whose mean red is above 0.6.
    await writeTestModel(farm.modelsDir, "demo-checked", { safetyChecker: true });
    await farm.startAgent("checker");
    const receiver = await startReceiver(() => 200);
    receivers.push(receiver);
    const { secret } = await addEndpoint("hooks-q", receiver.url, "image.quarantined");
    const prompts = ["a red square on a red background", "a blue circle on a black background", "a red circle on a red background"];
    const { batchId } = await farm.client.submitBatch({ tenant: "hooks-q", name: "checked", priority: 0, baseSeed: 0, defaults: { ...DEFAULTS, model: "demo-checked" } },
      prompts.map((prompt, i) => ({ prompt, negativePrompt: "", seed: i, hasSeed: true, count: 1, source: "" })));
    expect(await finalProgress(farm.client, batchId)).toMatchObject({ done: 3 });
    const flagged = await farm.database.db.query<{ key: string }>(`SELECT key FROM output WHERE batch_id = $1 AND quarantined ORDER BY key`, [batchId]);
    expect(flagged.length).toBe(2);
    await waitFor("both events to be delivered", async () => receiver.received.length >= 2, 30_000);
    const verifier = new Webhook(secret);
    const events = receiver.received.map((request) => verifier.verify(request.body, signedHeaders(request)) as { type: string; data: { batchId: string; key: string } });
    expect(events.map((event) => [event.type, event.data.batchId, event.data.key]).sort()).toEqual(flagged.map((row) => ["image.quarantined", batchId, row.key]));
  }, 180_000);

  it("keeps endpoints to their tenant, and signs with both secrets while a rotated one overlaps, so receivers verify with either", async () => {
    const receiver = await startReceiver(() => 204);
    receivers.push(receiver);
    const { id, secret: oldSecret } = await addEndpoint("hooks-b", receiver.url, "batch.completed,batch.failed");
    // A tenant token manages its own tenant's endpoints only: another tenant's is NOT_FOUND.
    const own = farm.clientFor(farm.coordinatorAddress, { token: await farm.mintToken("hooks-b") });
    const stranger = farm.clientFor(farm.coordinatorAddress, { token: await farm.mintToken("hooks-z") });
    expect((await own.listWebhooks()).map((e) => e.id)).toEqual([id]);
    expect(await stranger.listWebhooks()).toEqual([]);
    await expect(stranger.rotateWebhookSecret(id)).rejects.toMatchObject({ code: 5 });
    await expect(stranger.testWebhook(id)).rejects.toMatchObject({ code: 5 });

    const { secret: newSecret } = await own.rotateWebhookSecret(id);
    expect(newSecret).not.toBe(oldSecret);
    await own.testWebhook(id);
    await waitFor("the test event", async () => receiver.received.length === 1, 30_000);
    const [request] = receiver.received;
    expect(String(request!.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    for (const secret of [oldSecret, newSecret]) expect(new Webhook(secret).verify(request!.body, signedHeaders(request!))).toMatchObject({ type: "webhook.test" });
    const list = await runAtelier(["webhooks", "list", "--tenant", "hooks-b", "--coordinator", farm.coordinatorAddress], farm.cliEnv);
    expect(list.output).toContain(id);
    expect(list.output).toMatch(/batch\.completed,batch\.failed\s+\S+\s+rotating/);
  }, 60_000);

  /** Stops the coordinator and starts it again with `env` over the farm's, as an operator changing its configuration does. */
  async function restartCoordinator(env: Record<string, string>): Promise<void> {
    const { process } = farm.coordinators[0]!;
    process.child.kill("SIGTERM");
    await process.exited;
    await farm.restartCoordinator(0, env);
  }

  /** The endpoint's deliveries, oldest first. */
  async function deliveriesOf(id: string) {
    return farm.database.db.query<{ state: string; attempts: number; lastStatus: number | null; lastError: string }>(
      `SELECT state, attempts, last_status AS "lastStatus", last_error AS "lastError" FROM webhook_delivery WHERE endpoint_id = $1 ORDER BY id`,
      [id],
    );
  }

  it("refuses URLs at private and special-purpose addresses, and sends to a name resolving to loopback only once the operator allows loopback", async () => {
    // Refused at registration, naming the field and why; nothing is written.
    const refusals: [string, RegExp][] = [
      ["http://169.254.169.254/latest/meta-data/", /url: 169\.254\.169\.254 is in 169\.254\.0\.0\/16 \(link-local/],
      ["http://[::ffff:10.0.0.1]:8080/hook", /url: ::ffff:a00:1 is in 10\.0\.0\.0\/8 \(private-use, RFC 1918\), IPv4-mapped/],
      ["http://[fd12:3456::1]/hook", /url: fd12:3456::1 is in fc00::\/7 \(unique-local/],
      ["http://0x0a.1/hook", /url: 10\.0\.0\.1 is in 10\.0\.0\.0\/8/],
      ["ftp://hooks.example.com/hook", /url must be http:\/\/ or https:\/\//],
      ["https://user:secret@hooks.example.com/hook", /url must not carry credentials/],
    ];
    for (const [url, why] of refusals) {
      const run = await runAtelier(["webhooks", "add", url, "--tenant", "hooks-s", "--events", "batch.completed", "--coordinator", farm.coordinatorAddress], farm.cliEnv);
      expect(run.code, url).not.toBe(0);
      expect(run.output, url).toMatch(why);
    }
    expect(await farm.database.db.query(`SELECT id FROM webhook_endpoint WHERE tenant_id = 'hooks-s'`)).toEqual([]);

    // Without the operator's permission, a name is accepted (it is checked at delivery) but never sent to while it resolves to loopback.
    const receiver = await startReceiver(() => 200);
    receivers.push(receiver);
    await restartCoordinator({ ATELIER_WEBHOOK_ALLOW_NETWORKS: "" });
    const { id, secret } = await addEndpoint("hooks-s", `http://localhost:${receiver.port}/hook`, "batch.completed");
    const test = ["webhooks", "test", id, "--coordinator", farm.coordinatorAddress];
    expect((await runAtelier(test, farm.cliEnv)).code).toBe(0);
    const [refused] = await waitFor("the test event to be given up", async () => {
      const rows = await deliveriesOf(id);
      return rows[0]?.state === "failed" && rows;
    }, 30_000);
    expect(refused).toMatchObject({ state: "failed", attempts: 1, lastStatus: null });
    expect(refused!.lastError).toMatch(/^refused: localhost resolves to (127\.0\.0\.1 is in 127\.0\.0\.0\/8|::1 is in ::1\/128) \(loopback/);
    expect(receiver.received).toEqual([]);
    const log = await runAtelier(["webhooks", "deliveries", id, "--coordinator", farm.coordinatorAddress, "--json"], farm.cliEnv);
    expect(JSON.parse(log.output)).toEqual([expect.objectContaining({ eventType: "webhook.test", state: "failed", attempts: 1, lastError: refused!.lastError })]);

    // The operator allows loopback: the next event is delivered; the refused one stays given up.
    await restartCoordinator({});
    expect((await runAtelier(test, farm.cliEnv)).code).toBe(0);
    await waitFor("the second test event", async () => receiver.received.length === 1, 30_000);
    expect(new Webhook(secret).verify(receiver.received[0]!.body, signedHeaders(receiver.received[0]!))).toMatchObject({ type: "webhook.test", data: { endpointId: id } });
    const rows = await waitFor("the row to say delivered", async () => {
      const all = await deliveriesOf(id);
      return all[1]?.state === "delivered" && all;
    });
    expect(rows.map((row) => [row.state, row.attempts])).toEqual([["failed", 1], ["delivered", 1]]);
    expect(receiver.received).toHaveLength(1);
  }, 120_000);

  it("keeps retrying through a coordinator killed with SIGKILL mid-retry, and delivers after its restart", async () => {
    let accept = false;
    const receiver = await startReceiver(() => (accept ? 200 : 503));
    receivers.push(receiver);
    const { id, secret } = await addEndpoint("hooks-c", receiver.url, "batch.completed");
    const { batchId } = await farm.client.submitBatch({ tenant: "hooks-c", name: "killed", priority: 0, baseSeed: 0, defaults: DEFAULTS }, promptSpecs(1));
    expect(await finalProgress(farm.client, batchId)).toMatchObject({ state: "BATCH_STATE_COMPLETED" });
    await waitFor("two refused attempts", async () => receiver.received.length >= 2, 30_000);

    farm.coordinators[0]!.process.child.kill("SIGKILL");
    await farm.coordinators[0]!.process.exited;
    const refused = receiver.received.length;
    const [before] = await farm.database.db.query<{ state: string; attempts: number }>(`SELECT state, attempts FROM webhook_delivery WHERE endpoint_id = $1`, [id]);
    expect(before).toMatchObject({ state: "pending" });
    accept = true;

    await farm.restartCoordinator(0);
    await waitFor("the delivery after the restart", async () => receiver.received.some((r) => r.status === 200), 30_000);
    const [after] = await waitFor("the row to say delivered", async () => {
      const rows = await farm.database.db.query<{ state: string; attempts: number }>(`SELECT state, attempts FROM webhook_delivery WHERE endpoint_id = $1`, [id]);
      return rows[0]?.state === "delivered" && rows;
    });
    expect(after!.attempts).toBeGreaterThan(before!.attempts);
    const accepted = receiver.received.filter((r) => r.status === 200);
    expect(accepted).toHaveLength(1);
    expect(receiver.received.length).toBeGreaterThan(refused);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(new Webhook(secret).verify(accepted[0]!.body, signedHeaders(accepted[0]!))).toMatchObject({ type: "batch.completed", data: { batchId } });
    expect(await webhookStore.listDeliveries(farm.database.db, "hooks-c", id, 10)).toHaveLength(1);
  }, 120_000);
});
