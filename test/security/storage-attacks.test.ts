import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent } from "@atelier/agent";
import type { Assign__Output } from "@atelier/protocol";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blankPng } from "../support/blank-png.ts";
import { waitFor } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { connectRawAgent, resultFor, upload } from "../support/raw-agent.ts";
import { SlowRenderer } from "../support/slow-renderer.ts";

// docs/threat-model.md, attack 6: an agent that uploads after its lease was
// lost, uploads other bytes than it reports (another size, not a PNG, a PNG
// of the wrong size) or reports no checksum. Nothing of it is recorded, no
// object it left blocks the item, and each item completes once, from an
// honest agent.

const SETTINGS = { model: "store-model", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" };
// Enough items that the shards after the first hold five (the planner gives a fresh batch small first shards).
const ITEMS = 12;
const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");

describe("attacks through storage", () => {
  let farm: FarmFixture;
  let honest: Agent | undefined;
  beforeAll(async () => {
    farm = await startFarm({ coordinatorEnv: { ATELIER_SPECULATE_AFTER_MS: "0" } });
  }, 120_000);
  afterAll(async () => {
    await honest?.close();
    await farm?.close();
  });

  it("6. uploads after a lost lease, of other bytes, not a PNG, of the wrong size or without a checksum are never recorded; every item completes once from an honest agent", async () => {
    const { batchId } = await farm.client.submitBatch(
      { tenant: "", name: "storage", priority: 0, baseSeed: 1, defaults: SETTINGS },
      Array.from({ length: ITEMS }, (_, i) => ({ prompt: `p${i}`, negativePrompt: "", seed: i, hasSeed: true, count: 1, source: "" })),
    );
    const sloppy = connectRawAgent(farm.coordinatorAddress, await farm.enroll("sloppy"), { agentId: "sloppy", name: "sloppy", slots: 8, models: [SETTINGS.model] });
    await sloppy.next("welcome");
    sloppy.send({ slots: { free: 8 } });
    // One shard is left to expire; the others, five items at least however the
    // planner sizes shards, are kept alive while the agent misbehaves.
    const assigns: Assign__Output[] = [];
    const keptItems = () => assigns.slice(1).reduce((n, a) => n + a.items.length, 0);
    while (keptItems() < 5) assigns.push(await sloppy.next("assign"));
    const [doomed, ...kept] = assigns;
    let beating = true;
    const beats = (async () => {
      while (beating) {
        sloppy.send({ heartbeat: { leases: kept.map((a) => ({ shardId: a.shardId, epoch: a.epoch })) } });
        await sleep(200);
      }
    })();
    await waitFor("the doomed lease to expire", async () =>
      (await farm.database.db.query(`SELECT 1 FROM shard WHERE id = $1 AND state = 'expired'`, [doomed!.shardId])).length > 0);

    const report = async (assign: Assign__Output, index: number, uploaded: Uint8Array, reported: Partial<ReturnType<typeof resultFor>> = {}) => {
      expect((await upload(assign.items[index]!.uploadUrl, uploaded)).status).toBe(200);
      sloppy.send({ results: { results: [{ ...resultFor(assign, index, uploaded, { width: 64, height: 64 }), ...reported }] } });
      return (await sloppy.next("resultAcks")).acks[0]!;
    };
    const items = kept.flatMap((assign) => assign.items.map((_, index) => ({ assign, index })));
    const key = (k: number) => items[k]!.assign.items[items[k]!.index]!.key;
    const notPng = new TextEncoder().encode("<html>not an image</html>");
    const small = blankPng(32, 32, 9);
    const png = blankPng(64, 64, 9);

    const lost = await report(doomed!, 0, blankPng(64, 64, 3));
    expect(lost.accepted).toBe(false);
    expect(lost.reason).toMatch(/no lease of this agent under epoch|no longer holds it/);
    expect(await report(items[0]!.assign, items[0]!.index, notPng, { width: 64, height: 64 })).toMatchObject({ accepted: false, reason: `object ${key(0)} is not a PNG` });
    expect(await report(items[1]!.assign, items[1]!.index, small)).toMatchObject({ accepted: false, reason: `object ${key(1)} is a 32x32 PNG; the item renders at 64x64` });
    expect(await report(items[2]!.assign, items[2]!.index, png, { bytes: png.length + 10 })).toMatchObject({ accepted: false, reason: `object ${key(2)} has ${png.length} bytes; the agent reported ${png.length + 10}` });
    expect(await report(items[3]!.assign, items[3]!.index, blankPng(64, 64, 11), { md5: "" })).toMatchObject({ accepted: false, reason: "md5 must be 32 hex digits: a result without the checksum of its bytes is refused" });
    expect(await report(items[4]!.assign, items[4]!.index, blankPng(64, 64, 12), { md5: md5(png) })).toMatchObject({ accepted: false });
    // Objects the lease holder reported wrongly are gone at once. The late one, and the one reported
    // without a checksum (refused before it was looked at), stay until an honest upload meets them.
    for (const k of [0, 1, 2, 4]) expect([k, await farm.store.head(key(k))]).toEqual([k, null]);
    expect(await farm.store.head(key(3))).not.toBeNull();
    expect(await farm.database.db.query(`SELECT 1 FROM output WHERE batch_id = $1`, [batchId])).toEqual([]);
    beating = false;
    await beats;
    sloppy.close();

    honest = new Agent({
      coordinator: farm.coordinatorAddress, security: { token: await farm.enroll("honest") }, id: "honest", name: "honest", renderers: [new SlowRenderer(50)],
      models: [SETTINGS.model], providers: ["cpu"], gpu: "none", memoryBytes: 0, maxWidth: 512, maxHeight: 512, version: "test", log: pino({ level: "silent" }),
    });
    await honest.start();
    expect(await finalProgress(farm.client, batchId)).toMatchObject({ done: ITEMS, failed: 0 });
    expect(await inspectBatch(farm.database.db, farm.store, batchId)).toEqual(cleanState(ITEMS));
    const rows = await farm.database.db.query<{ agent_id: string; n: number; sha: string[] }>(
      `SELECT agent_id, count(*)::int AS n, array_agg(DISTINCT sha256) AS sha FROM output WHERE batch_id = $1 GROUP BY agent_id`, [batchId]);
    const honestSha = createHash("sha256").update(blankPng(64, 64)).digest("hex");
    expect(rows).toEqual([{ agent_id: "honest", n: ITEMS, sha: [honestSha] }]);
  }, 120_000);
});
