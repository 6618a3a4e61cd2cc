import { join } from "node:path";
import { writeTestClipModel } from "@atelier/diffusion/testing";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtelier, waitFor } from "../support/cli-process.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { writeJsonl } from "../support/prompt-files.ts";
import { signedHeaders, startReceiver } from "../support/webhook-receiver.ts";

// item.exhausted: the quality gate gave up on an item after max_rerolls. As
// in clip-gate.test.ts, the test CLIP scores the demo model's "a red circle
// riding a blue square" about 0.02 under any seed, so those items exhaust
// under a 0.5 gate, and "a red circle" about 0.99, so it passes. Its own
// farm: only an agent with a CLIP model can render gated items.

const GATE = 0.5;
const MAX_REROLLS = 1;

describe("the item.exhausted webhook", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    // The receiver listens on loopback: this farm's operator allows it.
    farm = await startFarm({ coordinatorEnv: { ATELIER_WEBHOOK_POLL_MS: "100", ATELIER_WEBHOOK_ALLOW_NETWORKS: "127.0.0.0/8" } });
    const clipDir = await writeTestClipModel(join(farm.modelsDir, ".."), "test-clip");
    await farm.startAgent("clip-agent", { ATELIER_CLIP_MODEL: clipDir });
  });
  afterAll(() => farm?.close());

  it("is delivered once per exhausted item, signed, naming the batch and the item whose attempts the gate refused", async () => {
    const receiver = await startReceiver(() => 200);
    try {
      const add = await runAtelier(["webhooks", "add", receiver.url, "--tenant", "hooks-x", "--events", "item.exhausted", "--coordinator", farm.coordinatorAddress, "--json"], farm.cliEnv);
      expect(add.code, add.output).toBe(0);
      const { id, secret } = JSON.parse(add.output) as { id: string; secret: string };

      const lines = [
        { prompt: "a red circle", seed: 100 },
        { prompt: "a red circle riding a blue square", seed: 200 },
        { prompt: "a red circle riding a blue square", seed: 210 },
      ];
      const file = writeJsonl(join(farm.modelsDir, "..", "exhaust.jsonl"), lines);
      const run = await runAtelier(
        ["submit", file, "--tenant", "hooks-x", "--coordinator", farm.coordinatorAddress, "--width", "64", "--height", "64", "--steps", "4",
         "--min-clip-score", String(GATE), "--max-rerolls", String(MAX_REROLLS), "--watch"],
        farm.cliEnv,
      );
      expect(run.output).toMatch(new RegExp(`completed: ${lines.length} done, 0 failed`));
      const batchId = /batch ([0-9a-f-]{36})/.exec(run.output)![1]!;

      // The items the gate gave up on, and their attempts: the first render and MAX_REROLLS re-rolls, each refused by the gate.
      const exhausted = await farm.database.db.query<{ id: string; rerolls: number; attempts: number; refused: number }>(
        `SELECT i.id::text AS id, i.rerolls, count(o.*)::int AS attempts, count(o.*) FILTER (WHERE NOT o.accepted AND o.clip_score < $2)::int AS refused
         FROM item i JOIN output o ON o.item_id = i.id WHERE i.batch_id = $1 AND i.state = 'exhausted' GROUP BY i.id ORDER BY i.id`,
        [batchId, GATE],
      );
      expect(exhausted.map((item) => [item.rerolls, item.attempts, item.refused])).toEqual([[MAX_REROLLS, MAX_REROLLS + 1, MAX_REROLLS + 1], [MAX_REROLLS, MAX_REROLLS + 1, MAX_REROLLS + 1]]);

      // Each event is recorded with the result that decided it, before the batch ends: wait until every recorded one is delivered, then count.
      const rows = await waitFor("every recorded event to be delivered", async () => {
        const all = await farm.database.db.query<{ state: string; msgId: string }>(`SELECT state, msg_id AS "msgId" FROM webhook_delivery WHERE endpoint_id = $1`, [id]);
        return all.length > 0 && all.every((row) => row.state === "delivered") && all;
      }, 30_000);
      expect(rows).toHaveLength(exhausted.length);
      expect(receiver.received).toHaveLength(exhausted.length);
      expect(new Set(receiver.received.map((request) => request.headers["webhook-id"]))).toEqual(new Set(rows.map((row) => row.msgId)));

      const verifier = new Webhook(secret);
      const events = receiver.received.map((request) => verifier.verify(request.body, signedHeaders(request)) as { type: string; data: { batchId: string; itemId: string } });
      expect(events.map((event) => [event.type, event.data.batchId, event.data.itemId]).sort()).toEqual(exhausted.map((item) => ["item.exhausted", batchId, item.id]).sort());
    } finally {
      await receiver.close();
    }
  }, 240_000);
});
