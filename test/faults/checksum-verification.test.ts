import { createHash } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { agentLinkService, type AgentLinkClient, type AgentMessage, type CoordinatorMessage__Output } from "@atelier/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { TINY_PNG } from "../support/slow-renderer.ts";

// RELIABILITY.md scenario 12, the checksum half: an output row is recorded
// only for the very bytes the agent reports. An agent speaking AgentLink
// directly uploads one image and reports another of the same size; then it
// reports what it uploaded.

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("an upload whose bytes are not the ones reported", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    farm = await startFarm();
  });
  afterAll(() => farm?.close());

  it("is refused, and nothing is recorded until the report names the uploaded bytes", async () => {
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "checksum", priority: 0, baseSeed: 0, defaults: { model: "raw-model", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" } },
      [{ prompt: "one", negativePrompt: "", seed: 1, hasSeed: true, count: 1, source: "" }],
    );
    const client = new (agentLinkService())(farm.coordinatorAddress, grpc.credentials.createInsecure()) as unknown as AgentLinkClient;
    const stream = client.Connect() as grpc.ClientDuplexStream<AgentMessage, CoordinatorMessage__Output>;
    const messages: CoordinatorMessage__Output[] = [];
    const waiters: (() => void)[] = [];
    stream.on("error", () => {}); // the cancel at the end ends it with CANCELLED
    stream.on("data", (message: CoordinatorMessage__Output) => {
      messages.push(message);
      for (const wake of waiters.splice(0)) wake();
    });
    const next = async <K extends keyof CoordinatorMessage__Output>(kind: K): Promise<NonNullable<CoordinatorMessage__Output[K]>> => {
      for (;;) {
        const found = messages.findIndex((message) => message[kind]);
        if (found >= 0) return messages.splice(found, 1)[0]![kind]!;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    try {
      stream.write({ hello: { agentId: "raw-agent", name: "raw-agent", slots: 1, models: ["raw-model"], maxWidth: 512, maxHeight: 512 } });
      stream.write({ slots: { free: 1 } });
      const assign = await next("assign");
      const item = assign.items[0]!;
      const uploaded = TINY_PNG;
      const other = Uint8Array.from(uploaded, (byte, i) => (i === uploaded.length - 1 ? byte ^ 0xff : byte));
      const put = await fetch(item.uploadUrl, { method: "PUT", body: uploaded, headers: { "content-type": "image/png", "if-none-match": "*" } });
      expect(put.ok).toBe(true);

      const report = (bytes: Uint8Array) => stream.write({
        result: { shardId: assign.shardId, epoch: assign.epoch, itemId: item.itemId, key: item.key, sha256: sha256(bytes), md5: md5(bytes), bytes: bytes.length, width: 1, height: 1 },
      });
      report(other);
      const refused = await next("resultAck");
      expect(refused).toMatchObject({ accepted: false, reason: `object ${item.key} holds other bytes (MD5 ${md5(uploaded)}) than the agent reported (MD5 ${md5(other)})` });
      const rows = () => farm.database.db.query<{ sha256: string }>(`SELECT sha256 FROM output WHERE batch_id = $1`, [batchId]);
      expect(await rows()).toEqual([]);

      report(uploaded);
      expect(await next("resultAck")).toMatchObject({ accepted: true });
      expect(await rows()).toEqual([{ sha256: sha256(uploaded) }]);
    } finally {
      stream.cancel();
      client.close();
    }
  }, 60_000);
});
