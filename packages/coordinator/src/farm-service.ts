import * as grpc from "@grpc/grpc-js";
import { agentRegistry, batchStore, capacityStore, outputStore, type Database, type AgentRow } from "@atelier/db";
import type { Agent, Batch, BatchProgress, FarmHandlers } from "@atelier/protocol";
import { PROTO_VERSION } from "@atelier/protocol";
import type { AgentCommands } from "./agent-commands.ts";
import type { AgentSession } from "./agent-session.ts";
import { receiveBatch, type IntakeOptions } from "./batch-intake.ts";
import type { Dispatcher } from "./dispatcher.ts";
import { NotFoundError, toGrpcError } from "./errors.ts";
import { subjects, type EventBus } from "./events/index.ts";
import type { Logger } from "./logger.ts";
import { publishProgressOf, TERMINAL_STATES, toProgress } from "./progress.ts";
import type { ObjectStore } from "./storage/index.ts";
import { VERSION } from "./version.ts";

export interface FarmServiceDeps {
  db: Database;
  store: ObjectStore;
  bus: EventBus;
  sessions: Map<string, AgentSession>;
  dispatcher: () => Dispatcher;
  commands: AgentCommands;
  /** Tells every coordinator (through the outbox) that new work is queued. */
  announceWork: (batchId: string) => Promise<void>;
  log: Logger;
  intake: IntakeOptions;
}

const OUTPUT_PAGE = 500;

export function farmHandlers(deps: FarmServiceDeps): FarmHandlers {
  const { db } = deps;
  const fail = (error: unknown) => toGrpcError(error, (e) => deps.log.error({ err: e }, "farm request failed"));
  const unary = <Req, Res>(work: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      work(call.request).then((response) => callback(null, response), (error) => callback(fail(error)));
    };

  return {
    SubmitBatch(call, callback) {
      receiveBatch(db, call, deps.intake).then(
        async (result) => {
          const { itemsPerSecond, queued } = await capacityStore.throughput(db, 5 * 60_000);
          const etaMs = itemsPerSecond > 0 && result.warnings.length === 0 ? Math.round((queued / itemsPerSecond) * 1000) : 0;
          callback(null, { batchId: result.batchId, itemCount: result.itemCount, warnings: result.warnings, etaMs });
          if (!result.reused) {
            deps.log.info({ batchId: result.batchId, items: result.itemCount, tenant: result.tenantId }, "batch submitted");
            deps.dispatcher().wake();
            await publishProgressOf(db, deps.bus, result.batchId);
            await deps.announceWork(result.batchId);
          }
        },
        (error) => callback(fail(error)),
      );
    },

    GetBatch: unary(async (request) => describeBatch(db, request.batchId)),

    WatchBatch(call) {
      const { batchId } = call.request;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        subscription.unsubscribe();
        call.end();
      };
      const send = (progress: BatchProgress) => {
        if (ended) return;
        call.write(progress);
        if (TERMINAL_STATES.has(String(progress.state).replace("BATCH_STATE_", "").toLowerCase())) end();
      };
      // Subscribe before reading the current state so that no change falls in between.
      const subscription = deps.bus.subscribe(subjects.batchProgress(batchId), (event) => send(event.data as BatchProgress));
      call.on("cancelled", end);
      batchStore.counts(db, batchId).then(
        (counts) => {
          if (!counts || counts.state === "receiving") {
            ended = true;
            subscription.unsubscribe();
            call.emit("error", fail(new NotFoundError(`batch ${batchId} not found`)));
            return;
          }
          send(toProgress(counts));
        },
        (error) => call.emit("error", fail(error)),
      );
    },

    CancelBatch: unary(async (request) => {
      await describeBatch(db, request.batchId);
      const { shards } = await batchStore.cancel(db, request.batchId);
      for (const shard of shards) {
        await deps.commands.send(shard.agentId, { cancel: { shardId: shard.shardId, itemIds: [], reason: "batch cancelled" } });
      }
      await publishProgressOf(db, deps.bus, request.batchId);
      deps.log.info({ batchId: request.batchId, shards: shards.length }, "batch cancelled");
      return describeBatch(db, request.batchId);
    }),

    ListOutputs(call) {
      const { batchId, urlTtlMs } = call.request;
      (async () => {
        await describeBatch(db, batchId);
        let after = -1;
        for (;;) {
          const page = await outputStore.page(db, batchId, after, OUTPUT_PAGE);
          for (const row of page) {
            const url = urlTtlMs > 0 ? await deps.store.presignGet(row.key, { expiresInMs: urlTtlMs }) : "";
            const more = call.write({ ...row, agent: row.agentId, url });
            if (!more) await new Promise((resolve) => call.once("drain", resolve));
          }
          if (page.length < OUTPUT_PAGE || call.cancelled) break;
          after = page[page.length - 1]!.index;
        }
        call.end();
      })().catch((error: unknown) => call.emit("error", fail(error)));
    },

    ListAgents: unary(async () => ({ agents: (await agentRegistry.list(db)).map((row) => toAgent(row, deps.sessions)) })),

    DrainAgent: unary(async (request) => {
      const row = await agentRegistry.setDraining(db, request.agentId, request.drain);
      if (!row) throw new NotFoundError(`agent ${request.agentId} not found`);
      await deps.commands.send(request.agentId, { drain: { drain: request.drain } });
      return toAgent(row, deps.sessions);
    }),

    GetVersion: unary(async () => ({ version: VERSION, proto: PROTO_VERSION })),
  };
}

async function describeBatch(db: Database, batchId: string): Promise<Batch> {
  const batch = await batchStore.get(db, batchId);
  if (!batch) throw new NotFoundError(`batch ${batchId} not found`);
  const failures = await batchStore.failures(db, batchId, 100);
  return {
    ...toProgress(batch),
    id: batch.id,
    tenant: batch.tenantId,
    name: batch.name,
    createdAtMs: batch.createdAt.getTime(),
    finishedAtMs: batch.finishedAt?.getTime() ?? 0,
    defaults: batch.defaults as Batch["defaults"],
    failures,
  };
}

function toAgent(row: AgentRow, sessions: Map<string, AgentSession>): Agent {
  const session = sessions.get(row.id);
  return {
    id: row.id,
    name: row.name,
    status: session?.open ? "online" : row.status,
    slots: row.slots,
    busySlots: row.liveShards,
    models: row.models,
    providers: row.providers,
    gpu: row.gpu,
    memoryBytes: row.memoryBytes,
    lastSeenMs: row.lastSeenAt.getTime(),
    draining: row.draining,
    imagesDone: row.imagesDone,
  };
}
