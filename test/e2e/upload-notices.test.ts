import { Agent } from "@atelier/agent";
import type { Assign__Output } from "@atelier/protocol";
import type { IncomingMessage } from "node:http";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blankPng } from "../support/blank-png.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { startFaultyProxy } from "../support/faulty-http-proxy.ts";
import { finalProgress } from "../support/final-progress.ts";
import { connectRawAgent, resultFor, upload } from "../support/raw-agent.ts";
import { SlowRenderer } from "../support/slow-renderer.ts";

// A coordinator given ATELIER_STORE_EVENTS_SUBJECT confirms each upload by
// the S3 server's event notification (here s3rver's, published on NATS as
// MinIO publishes its own) instead of reading the object back: each agent
// stream's first output and one in 16 after it are still read, every output
// after a failed check is, and so is any whose notice does not come.

const SETTINGS = { model: "notice-model", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" };
const READ_ONE_IN = 16;

describe("uploads confirmed by the store's notices", () => {
  let farm: FarmFixture;
  let agent: Agent | undefined;
  // Requests that reached the S3 server, through a counting proxy in front of it.
  const requests = { puts: 0, readBacks: 0 };
  // The notices of this batch's objects are lost on the way.
  let noticesLostFor: string | undefined;
  const count = (req: IncomingMessage) => {
    if (req.method === "PUT") requests.puts++;
    // The coordinator's read-back: the object's first bytes, by a ranged GET.
    if (req.method === "GET" && req.headers.range !== undefined) requests.readBacks++;
    return "pass" as const;
  };
  const submit = async (name: string, items: number) => (await farm.client.submitBatch(
    { tenant: "", name, priority: 0, baseSeed: 1, defaults: SETTINGS },
    Array.from({ length: items }, (_, i) => ({ prompt: `${name} ${i}`, negativePrompt: "", seed: i, hasSeed: true, count: 1, source: "" })),
  )).batchId;
  const startAgent = async (name: string) => {
    agent = new Agent({
      coordinator: farm.coordinatorAddress, security: { token: await farm.enroll(name) }, id: name, name, renderers: [new SlowRenderer(20)],
      models: [SETTINGS.model], providers: ["cpu"], gpu: "none", memoryBytes: 0, maxWidth: 512, maxHeight: 512, version: "test", log: pino({ level: "silent" }),
    });
    await agent.start();
  };

  beforeAll(async () => {
    farm = await startFarm({
      coordinatorEnv: { ATELIER_SPECULATE_AFTER_MS: "0" },
      s3Front: (endpoint) => startFaultyProxy(endpoint, count),
      storeNotices: { drop: (notification) => noticesLostFor !== undefined && notification.includes(noticesLostFor) },
    });
  }, 120_000);
  afterAll(async () => {
    await agent?.close();
    await farm?.close();
  });

  it("records every output with one request per image: the stream's first and one in 16 are read back", async () => {
    const items = 40;
    const batchId = await submit("confirmed", items);
    const before = { ...requests };
    await startAgent("honest");
    expect(await finalProgress(farm.client, batchId)).toMatchObject({ done: items, failed: 0 });
    expect(requests.puts - before.puts).toBe(items);
    // Outputs 1, 17 and 33 of the stream; every other one was confirmed by its notice.
    expect(requests.readBacks - before.readBacks).toBe(Math.ceil(items / READ_ONE_IN));
    expect(await inspectBatch(farm.database.db, farm.store, batchId)).toEqual(cleanState(items));
  }, 120_000);

  it("reads back an upload whose notice does not come, and records it", async () => {
    const items = 6;
    const batchId = await submit("lost-notices", items);
    noticesLostFor = batchId;
    const before = { ...requests };
    expect(await finalProgress(farm.client, batchId)).toMatchObject({ done: items, failed: 0 });
    expect(requests.readBacks - before.readBacks).toBe(items);
    expect(await inspectBatch(farm.database.db, farm.store, batchId)).toEqual(cleanState(items));
  }, 120_000);

  it("refuses bytes other than the notice shows, and reads every later output of that stream", async () => {
    await agent?.close();
    agent = undefined;
    const batchId = await submit("sloppy", 8);
    const sloppy = connectRawAgent(farm.coordinatorAddress, await farm.enroll("sloppy"), { agentId: "sloppy", name: "sloppy", slots: 4, models: [SETTINGS.model] });
    let beating = true;
    let beats: Promise<void> | undefined;
    try {
      await sloppy.next("welcome");
      sloppy.send({ slots: { free: 4 } });
      // A fresh batch's first shards are small: three items, from as many shards as it takes.
      const assigns: Assign__Output[] = [];
      while (assigns.reduce((n, a) => n + a.items.length, 0) < 3) assigns.push(await sloppy.next("assign"));
      beats = (async () => {
        while (beating) {
          sloppy.send({ heartbeat: { leases: assigns.map((a) => ({ shardId: a.shardId, epoch: a.epoch })) } });
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      const items = assigns.flatMap((assign) => assign.items.map((_, index) => ({ assign, index })));
      const png = blankPng(64, 64);
      const report = async (k: number, reported: Partial<ReturnType<typeof resultFor>> = {}) => {
        const { assign, index } = items[k]!;
        const before = requests.readBacks;
        expect((await upload(assign.items[index]!.uploadUrl, png)).status).toBe(200);
        sloppy.send({ results: { results: [{ ...resultFor(assign, index, png, { width: 64, height: 64 }), ...reported }] } });
        const [ack] = (await sloppy.next("resultAcks")).acks;
        return { ack, readBacks: requests.readBacks - before };
      };
      const key = (k: number) => items[k]!.assign.items[items[k]!.index]!.key;
      // The stream's first output is read back, whatever its notice says.
      expect(await report(0)).toEqual({ ack: expect.objectContaining({ accepted: true }), readBacks: 1 });
      const wrong = await report(1, { bytes: png.length + 10 });
      expect(wrong.ack).toMatchObject({ accepted: false, reason: `object ${key(1)} has ${png.length} bytes; the agent reported ${png.length + 10}` });
      expect(wrong.readBacks).toBeGreaterThanOrEqual(1);
      // Its third would have been confirmed by the notice alone; after a failed check it is read.
      expect(await report(2)).toEqual({ ack: expect.objectContaining({ accepted: true }), readBacks: 1 });
      const recorded = await farm.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM output WHERE batch_id = $1`, [batchId]);
      expect(recorded).toEqual([{ n: 2 }]);
      // The refused object was deleted: the item's next attempt can upload afresh.
      expect(await farm.store.head(key(1))).toBeNull();
    } finally {
      beating = false;
      await beats;
      sloppy.close();
    }
  }, 120_000);
});
