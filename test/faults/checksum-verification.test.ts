import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blankPng } from "../support/blank-png.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { connectRawAgent, resultFor, upload } from "../support/raw-agent.ts";

// docs/reliability.md scenario 12, the checksum half: an output row is recorded
// only for the very bytes the agent reports. An agent speaking AgentLink
// directly uploads one image and reports another of the same size; the
// object is refused and cleared, and the item's next upload lands.

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("an upload whose bytes are not the ones reported", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    farm = await startFarm();
  });
  afterAll(() => farm?.close());

  it("is refused and deleted, and nothing is recorded until an upload matches its report", async () => {
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "checksum", priority: 0, baseSeed: 0, defaults: { model: "raw-model", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" } },
      [{ prompt: "one", negativePrompt: "", seed: 1, hasSeed: true, count: 1, source: "" }],
    );
    const agent = connectRawAgent(farm.coordinatorAddress, await farm.enroll("raw-agent"), { agentId: "raw-agent", name: "raw-agent" });
    try {
      agent.send({ slots: { free: 1 } });
      const assign = await agent.next("assign");
      const item = assign.items[0]!;
      const uploaded = blankPng(64, 64, 10);
      const other = blankPng(64, 64, 20);
      expect(uploaded.length).toBe(other.length);
      expect((await upload(item.uploadUrl, uploaded)).ok).toBe(true);

      agent.send({ results: { results: [resultFor(assign, 0, other, { width: 64, height: 64 })] } });
      const [refused] = (await agent.next("resultAcks")).acks;
      expect(refused).toMatchObject({ accepted: false, reason: `object ${item.key} holds other bytes (MD5 ${md5(uploaded)}) than the agent reported (MD5 ${md5(other)})` });
      const rows = () => farm.database.db.query<{ sha256: string }>(`SELECT sha256 FROM output WHERE batch_id = $1`, [batchId]);
      expect(await rows()).toEqual([]);
      // The lease holder's mismatched object is gone, so the item is never stuck behind it.
      expect(await farm.store.head(item.key)).toBeNull();

      expect((await upload(item.uploadUrl, other)).ok).toBe(true);
      agent.send({ results: { results: [resultFor(assign, 0, other, { width: 64, height: 64 })] } });
      expect((await agent.next("resultAcks")).acks[0]).toMatchObject({ accepted: true });
      expect(await rows()).toEqual([{ sha256: sha256(other) }]);
    } finally {
      agent.close();
    }
  }, 60_000);
});
