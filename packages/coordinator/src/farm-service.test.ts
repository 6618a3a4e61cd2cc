import * as grpc from "@grpc/grpc-js";
import { agentRegistry, migrate, openDatabase, tokenStore, type Database } from "@atelier/db";
import { farmService } from "@atelier/protocol";
import { AtelierClient } from "@atelier/sdk";
import { createLogger } from "@atelier/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentCommands } from "./agent-commands.ts";
import { Authenticator } from "./auth/authenticator.ts";
import { guardFarm } from "./auth/farm-guard.ts";
import type { Dispatcher } from "./dispatcher.ts";
import { toGrpcError } from "./errors.ts";
import { createInProcessBus, type EventBus } from "./events/index.ts";
import { farmHandlers } from "./farm-service.ts";
import { DEFAULT_TENANT_LIMITS } from "./tenant-limits.ts";
import type { ObjectStore } from "./storage/index.ts";
import type { OutboxRelay } from "./outbox-relay.ts";

// The work SubmitBatch does after the batch is durable (the ETA's throughput
// query, publishing progress, announcing new work) used to run in an async
// .then handler: a failure there left the client without an answer, or was
// an unhandled rejection that killed the coordinator. Each dependency fails
// here in turn, through the interfaces the service is given.

const header = { tenant: "", name: "crash", priority: 0, baseSeed: 1, defaults: { model: "m", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" } };
const items = [{ prompt: "a", negativePrompt: "", seed: 1, hasSeed: true, count: 1, source: "" }];

describe("SubmitBatch when what follows the write fails", () => {
  let real: Database;
  let server: grpc.Server;
  let client: AtelierClient;
  const failing = { throughput: false, publish: false, announce: false };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    real = await openDatabase({ embedded: {} });
    await migrate(real);
    // The database as the service sees it: the ETA's throughput query fails on demand.
    const db: Database = Object.create(real, {
      query: {
        value: (text: string, params?: readonly unknown[]) =>
          failing.throughput && text.includes("FROM output WHERE created_at >") ? Promise.reject(new Error("throughput query failed")) : real.query(text, params),
      },
    }) as Database;
    const inner = createInProcessBus();
    const bus: EventBus = {
      ...inner,
      publish: (subject, data, options) => (failing.publish ? Promise.reject(new Error("publish failed")) : inner.publish(subject, data, options)),
    };
    const log = createLogger({ level: "silent", name: "test" });
    const sessions = new Map();
    const impl = farmHandlers({
      db,
      store: {} as ObjectStore,
      bus,
      sessions,
      dispatcher: () => ({ wake() {} }) as unknown as Dispatcher,
      commands: new AgentCommands(db, bus, sessions, () => ({ kick() {} }) as unknown as OutboxRelay, () => {}, () => {}),
      announceWork: async () => {
        if (failing.announce) throw new Error("announce failed");
      },
      log,
      intake: { defaults: { model: "m", width: 64, height: 64, steps: 4, guidance: 1, sampler: "euler" }, maxAttempts: 5, insertChunkItems: 100 },
      tenantLimits: DEFAULT_TENANT_LIMITS,
      submitIdleMs: 10_000,
      forgetCredentials: () => {},
    });
    server = new grpc.Server();
    server.addService(farmService().service, guardFarm(impl, new Authenticator(db, { cacheTtlMs: 1_000 }), (error) => toGrpcError(error, () => {})));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
    const { token } = await tokenStore.create(real, { tenantId: "studio", role: "user" });
    // An agent that can run the items: without one the answer carries a warning and no estimate is asked for.
    await agentRegistry.upsert(real, { id: "a1", name: "a1", gpu: "", memoryBytes: 0, providers: ["cpu"], models: ["m"], slots: 1, maxWidth: 512, maxHeight: 512, version: "t" });
    client = new AtelierClient(`127.0.0.1:${port}`, { token, attempts: 1, unaryTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    client?.close();
    server?.forceShutdown();
    await real?.close();
    process.off("unhandledRejection", onUnhandled);
  });

  it("takes a plain iterable and an async one alike: every item, in order, in chunks", async () => {
    const spec = (k: number) => ({ prompt: `p${k}`, negativePrompt: "", seed: k, hasSeed: true, count: 1, source: "" });
    function* plain() {
      for (let k = 0; k < 2_345; k++) yield spec(k);
    }
    async function* later() {
      for (let k = 0; k < 2_345; k++) yield spec(k);
    }
    for (const source of [plain(), later()]) {
      const { batchId, itemCount } = await client.submitBatch(header, source);
      expect(itemCount).toBe(2_345);
      const rows = await real.query<{ index: number; prompt: string }>(`SELECT index, prompt FROM item WHERE batch_id = $1 ORDER BY index`, [batchId]);
      expect(rows.every((row, k) => row.index === k && row.prompt === `p${k}`) && rows.length).toBe(2_345);
    }
  });

  for (const dependency of ["throughput", "publish", "announce"] as const) {
    it(`answers, and keeps serving, when ${dependency} fails`, async () => {
      failing[dependency] = true;
      try {
        // The batch is durable, so its id is the answer (without an estimate when the throughput query failed).
        const answer = await Promise.race([
          client.submitBatch(header, items),
          new Promise((_, reject) => setTimeout(() => reject(new Error("SubmitBatch never answered")), 10_000)),
        ]);
        expect(answer).toMatchObject({ itemCount: 1, warnings: [] });
        if (dependency === "throughput") expect(answer).toMatchObject({ etaMs: 0 });
      } finally {
        failing[dependency] = false;
      }
      // Whatever failed after the answer was handled, not thrown at nobody, and the service still serves.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      expect((await client.submitBatch(header, items)).itemCount).toBe(1);
      expect(await client.getVersion()).toMatchObject({ proto: "atelier.v1" });
    });
  }
});
