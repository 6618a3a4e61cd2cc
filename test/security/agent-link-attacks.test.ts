import { setTimeout as sleep } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import { Agent } from "@atelier/agent";
import { connectNatsBus } from "@atelier/coordinator";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { blankPng } from "../support/blank-png.ts";
import { connectRawAgent, resultFor } from "../support/raw-agent.ts";
import { runHeartbeatFlood } from "../support/heartbeat-flood.ts";
import { natsUrl } from "../support/services.ts";
import { SlowRenderer } from "../support/slow-renderer.ts";

// docs/threat-model.md, attacks 3, 4, 5, 10 and 11: processes that reach
// AgentLink without a credential, or with their own but claiming another
// agent's id, shards, slots or heartbeats; and a bus message that tries to
// hand an agent work. Each is refused and honest agents go on as before.

// Leases of 5 s, not the tests' usual 2 s (docs/reliability.md, Timings), with
// the usual 300 ms heartbeat: an honest agent fences itself once 5 s less
// min(5 s, TTL/4) = 3.75 s pass without an acknowledged renewal, so a renewal
// may be about 3.4 s late. On two cores at a load average of 20 to 30,
// renewals were seen 2.5 s old during attack 10's flood, and 2 s leases
// expired before the flood had begun. The flood still lasts two TTLs: one
// that held renewals back for half its length would cost a lease.
const LEASE_TTL_MS = "5000";
const SLOW = { model: "slow-model", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" };
const header = (model: string) => ({ tenant: "", name: "agent-attacks", priority: 0, baseSeed: 1, defaults: { ...SLOW, model } });
const specs = (n: number) => Array.from({ length: n }, (_, i) => ({ prompt: `p${i}`, negativePrompt: "", seed: i, hasSeed: true, count: 1, source: "" }));

describe("attacks on AgentLink", () => {
  let farm: FarmFixture;
  const honest: Agent[] = [];
  const startHonest = async (id: string, renderMs: number, model = SLOW.model) => {
    const agent = new Agent({
      coordinator: farm.coordinatorAddress, security: { token: await farm.enroll(id) }, id, name: id, renderers: [new SlowRenderer(renderMs)],
      models: [model], providers: ["cpu"], gpu: "none", memoryBytes: 0, maxWidth: 512, maxHeight: 512, version: "test", log: pino({ level: "silent" }),
    });
    honest.push(agent);
    await agent.start();
    return agent;
  };
  beforeAll(async () => {
    farm = await startFarm({ coordinatorEnv: { ATELIER_MAX_AGENT_SLOTS: "4", ATELIER_MAX_SHARD_ITEMS: "4", ATELIER_SPECULATE_AFTER_MS: "0", ATELIER_LEASE_TTL_MS: LEASE_TTL_MS } });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(honest.map((agent) => agent.close()));
    await farm?.close();
  });

  it("3. a stream without a credential is UNAUTHENTICATED; a hello naming another live agent is refused, and that agent keeps rendering", async () => {
    await startHonest("victim", 150);
    const { batchId } = await farm.client.submitBatch(header(SLOW.model), specs(20));
    await waitFor("the victim to hold a lease", async () => (await farm.database.db.query(`SELECT 1 FROM shard WHERE agent_id = 'victim' AND state = 'leased'`)).length > 0);

    const anonymous = connectRawAgent(farm.coordinatorAddress, undefined, { agentId: "victim", name: "victim" });
    expect((await anonymous.ended).code).toBe(grpc.status.UNAUTHENTICATED);
    anonymous.close();
    const bogus = connectRawAgent(farm.coordinatorAddress, `atla_${"0".repeat(12)}_${"A".repeat(43)}`, { agentId: "victim" });
    expect((await bogus.ended).code).toBe(grpc.status.UNAUTHENTICATED);
    bogus.close();

    const impostor = connectRawAgent(farm.coordinatorAddress, await farm.enroll("impostor"), { agentId: "victim", name: "victim", slots: 4, models: [SLOW.model] });
    const refused = await impostor.ended;
    expect(refused.code).toBe(grpc.status.PERMISSION_DENIED);
    impostor.close();
    // The victim's own credential, while the victim lives: a second stream is refused.
    const twin = connectRawAgent(farm.coordinatorAddress, farm.credentials.get("victim"), { agentId: "victim", name: "victim", slots: 4, models: [SLOW.model] });
    expect((await twin.ended).code).toBe(grpc.status.ALREADY_EXISTS);
    twin.close();

    expect(await finalProgress(farm.client, batchId)).toMatchObject({ done: 20, failed: 0 });
    expect(await inspectBatch(farm.database.db, farm.store, batchId)).toEqual(cleanState(20));
    const rows = await farm.database.db.query<{ agent_id: string; n: number }>(`SELECT agent_id, count(*)::int AS n FROM output WHERE batch_id = $1 GROUP BY agent_id`, [batchId]);
    expect(rows).toEqual([{ agent_id: "victim", n: 20 }]);
    const lost = await farm.database.db.query(`SELECT 1 FROM item WHERE batch_id = $1 AND (lost_leases > 0 OR attempts > 0)`, [batchId]);
    expect(lost).toEqual([]);
  }, 120_000);

  it("4. a rogue's result, failure, shard end and release for another agent's shard, with the right epoch, are refused; the item completes from its holder", async () => {
    await startHonest("holder", 300, "held-model");
    const { batchId } = await farm.client.submitBatch(header("held-model"), specs(8));
    const shard = await waitFor("the holder to be mid-shard", async () => {
      const [row] = await farm.database.db.query<{ id: string; epoch: string; open: number }>(
        `SELECT s.id, s.epoch::text AS epoch, count(*) FILTER (WHERE i.state = 'leased')::int AS open
         FROM shard s JOIN item i ON i.shard_id = s.id WHERE s.agent_id = 'holder' AND s.state = 'leased' AND s.batch_id = $1
         GROUP BY s.id, s.epoch`, [batchId]);
      return row && row.open >= 2 ? row : undefined;
    });
    const open = await farm.database.db.query<{ id: string; index: number; key: string }>(
      `SELECT i.id::text AS id, i.index, o.key FROM item i LEFT JOIN output o ON o.item_id = i.id WHERE i.shard_id = $1 AND i.state = 'leased' ORDER BY i.index`, [shard.id]);
    const epoch = Number(shard.epoch);
    const rogue = connectRawAgent(farm.coordinatorAddress, await farm.enroll("rogue"), { agentId: "rogue", name: "rogue", slots: 1, models: ["nothing"] });
    await rogue.next("welcome");
    const before = await farm.database.db.query(`SELECT id, state, attempts, lease_epoch::text FROM item WHERE shard_id = $1 ORDER BY id`, [shard.id]);
    // The rogue even has bytes at the item's key (a leaked upload URL), and reports them truly.
    const [{ tenant_id: tenant }] = await farm.database.db.query<{ tenant_id: string }>(`SELECT tenant_id FROM batch WHERE id = $1`, [batchId]) as [{ tenant_id: string }];
    const key = `${tenant}/${batchId}/${String(open[0]!.index).padStart(8, "0")}-${open[0]!.index}.png`;
    const png = blankPng(64, 64, 7);
    await farm.store.put(key, png, "image/png");
    const assign = { shardId: shard.id, epoch, items: [{ itemId: open[0]!.id, key }] };
    const result = resultFor(assign as never, 0, png, { width: 64, height: 64 });
    rogue.send({ results: { results: [result, { shardId: shard.id, epoch, itemId: open[1]!.id, error: "forged failure", retryable: false }] } });
    const acks = (await rogue.next("resultAcks")).acks;
    expect(acks.map((ack) => ack.accepted)).toEqual([false, false]);
    expect(acks.map((ack) => ack.reason)).toEqual([
      `no lease of this agent under epoch ${epoch} holds item ${open[0]!.id}`,
      `no lease of this agent under epoch ${epoch} holds item ${open[1]!.id}`,
    ]);
    rogue.send({ shardDone: { shardId: shard.id, epoch } });
    rogue.send({ released: { shardId: shard.id, epoch, reason: "forged" } });
    // A message after them, answered, shows they were handled.
    rogue.send({ results: { results: [result] } });
    await rogue.next("resultAcks");
    expect(await farm.database.db.query(`SELECT state, agent_id FROM shard WHERE id = $1`, [shard.id])).toEqual([{ state: "leased", agent_id: "holder" }]);
    const now = await farm.database.db.query<{ id: string; state: string; attempts: number; lease_epoch: string }>(
      `SELECT id, state, attempts, lease_epoch::text FROM item WHERE shard_id = $1 ORDER BY id`, [shard.id]);
    // Nothing the rogue sent moved an item: only the holder's own completions did.
    for (const row of now) {
      const was = (before as typeof now).find((b) => b.id === row.id)!;
      expect(row.attempts).toBe(was.attempts);
      expect(row.state === "done" || row.lease_epoch === was.lease_epoch).toBe(true);
    }
    rogue.close();
    expect(await finalProgress(farm.client, batchId)).toMatchObject({ done: 8, failed: 0 });
    expect(await inspectBatch(farm.database.db, farm.store, batchId)).toEqual(cleanState(8));
    expect(await farm.database.db.query(`SELECT DISTINCT agent_id FROM output WHERE batch_id = $1`, [batchId])).toEqual([{ agent_id: "holder" }]);
  }, 120_000);

  it("5. a hello claiming 2^31-1 slots and 10^9 free ones never renders more shards than the cap, nor holds more than twice its leases", async () => {
    const { batchId } = await farm.client.submitBatch(header("greedy-model"), specs(200));
    const greedy = connectRawAgent(farm.coordinatorAddress, await farm.enroll("greedy"), { agentId: "greedy", name: "greedy", slots: 2 ** 31 - 1, models: ["greedy-model"] });
    await greedy.next("welcome");
    greedy.send({ slots: { free: 1_000_000_000 } });
    for (let n = 0; n < 4; n++) await greedy.next("assign");
    // Keep announcing, and keep the leases alive: still no fifth.
    const leased = () => farm.database.db.query<{ id: string; epoch: string }>(`SELECT id, epoch::text AS epoch FROM shard WHERE agent_id = 'greedy' AND state = 'leased'`);
    for (let n = 0; n < 10; n++) {
      greedy.send({ slots: { free: 1_000_000_000 } });
      greedy.send({ heartbeat: { leases: (await leased()).map((l) => ({ shardId: l.id, epoch: Number(l.epoch) })) } });
      await sleep(200);
      expect((await leased()).length).toBeLessThanOrEqual(4);
    }
    await expect(greedy.next("assign", 500)).rejects.toThrow(/no assign/);
    expect(await farm.database.db.query(`SELECT slots FROM agent WHERE id = 'greedy'`)).toEqual([{ slots: 4 }]);
    // Naming its shards finishing (all rendered) frees their slots: four more, and never a ninth lease.
    const refs = async () => (await leased()).map((l) => ({ shardId: l.id, epoch: Number(l.epoch) }));
    greedy.send({ slots: { free: 1_000_000_000, finishing: (await refs()).map((r) => r.shardId) } });
    for (let n = 0; n < 4; n++) await greedy.next("assign");
    for (let n = 0; n < 5; n++) {
      greedy.send({ slots: { free: 1_000_000_000, finishing: (await refs()).map((r) => r.shardId) } });
      greedy.send({ heartbeat: { leases: await refs() } });
      await sleep(200);
      expect((await leased()).length).toBeLessThanOrEqual(8);
    }
    await expect(greedy.next("assign", 500)).rejects.toThrow(/no assign/);
    expect((await leased()).length).toBe(8);
    // A longer list than two per slot ends the stream, naming the field and its limit.
    greedy.send({ slots: { free: 1, finishing: Array.from({ length: 9 }, (_, i) => `shard-${i}`) } });
    expect(await greedy.ended).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: "slots.finishing names at most 8 shards (2 per slot)" });
    greedy.close();
    await farm.client.cancelBatch(batchId);
  }, 60_000);

  it("10. 10,000 heartbeats a second from a rogue stream for 10 s cost no honest agent a lease", async () => {
    // Enough work at 200 ms an image that both honest agents are still renewing when the flood ends.
    const ITEMS = 300;
    await startHonest("steady-1", 200, "steady-model");
    await startHonest("steady-2", 200, "steady-model");
    const { batchId } = await farm.client.submitBatch(header("steady-model"), specs(ITEMS));
    await waitFor("both honest agents to take a shard", async () =>
      (await farm.database.db.query(`SELECT DISTINCT agent_id FROM shard WHERE batch_id = $1`, [batchId])).length === 2);
    // The rogue is a process of its own, as on its own host (see runHeartbeatFlood).
    const flood = await runHeartbeatFlood({ coordinator: farm.coordinatorAddress, credential: await farm.enroll("flood"), perSecond: 10_000, seconds: 10 });
    const [{ done }] = (await farm.database.db.query<{ done: number }>(`SELECT count(*)::int AS done FROM item WHERE batch_id = $1 AND state = 'done'`, [batchId])) as [{ done: number }];
    expect(flood.sent).toBeGreaterThan(90_000);
    expect(done).toBeLessThan(ITEMS);
    // The flood cost the rogue its stream (the coordinator ended it past the limit), not the honest agents their leases.
    expect(flood.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(await finalProgress(farm.client, batchId)).toMatchObject({ done: ITEMS, failed: 0 });
    const expired = await farm.database.db.query(`SELECT id FROM shard WHERE batch_id = $1 AND state = 'expired'`, [batchId]);
    expect(expired).toEqual([]);
    expect(await farm.database.db.query(`SELECT 1 FROM item WHERE batch_id = $1 AND lost_leases > 0`, [batchId])).toEqual([]);
  }, 120_000);

  it("11. a bus message that tries to assign work reaches no agent; a drain after it does", async () => {
    const target = connectRawAgent(farm.coordinatorAddress, await farm.enroll("target"), { agentId: "target", name: "target", slots: 1, models: ["nothing"] });
    await target.next("welcome");
    const bus = await connectNatsBus({ servers: await natsUrl(), prefix: farm.natsPrefix, name: "attacker" });
    try {
      const forged = { shardId: "forged", epoch: 1, leaseTtlMs: 60_000, settings: SLOW, items: [{ itemId: "1", index: 0, prompt: "x", seed: 1, key: "k", uploadUrl: "http://attacker.invalid/put" }] };
      await bus.publish("atelier.agent.target.command", { agentId: "target", command: { assign: forged } });
      await bus.publish("atelier.agent.target.command", { agentId: "target", command: { drain: { drain: true }, assign: forged } });
      await bus.publish("atelier.agent.target.command", { agentId: "target", command: { drain: { drain: true } } });
      await target.next("drain");
      await expect(target.next("assign", 500)).rejects.toThrow(/no assign/);
    } finally {
      await bus.close();
      target.close();
    }
  }, 60_000);
});
