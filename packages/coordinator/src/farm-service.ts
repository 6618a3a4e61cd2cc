import type * as grpc from "@grpc/grpc-js";
import { agentRegistry, auditStore, batchReport, batchStore, capacityStore, outputStore, type AgentRow, type Database } from "@atelier/db";
import type { Agent, Batch, BatchProgress, FarmHandlers } from "@atelier/protocol";
import { PROTO_VERSION } from "@atelier/protocol";
import type { AgentCommands } from "./agent-commands.ts";
import type { AgentSession } from "./agent-session.ts";
import type { Caller } from "./auth/authenticator.ts";
import { receiveBatch, type IntakeOptions } from "./batch-intake.ts";
import { withIdleDeadline } from "./client-stream-deadline.ts";
import type { Dispatcher } from "./dispatcher.ts";
import { NotFoundError, PermissionDeniedError, ValidationError, toGrpcError } from "./errors.ts";
import { exportOutputs } from "./export-outputs.ts";
import { subjects, type EventBus } from "./events/index.ts";
import type { Logger } from "@atelier/common";
import { publishProgressOf, TERMINAL_STATES, toProgress } from "./progress.ts";
import type { ObjectStore } from "./storage/index.ts";
import { adminHandlers } from "./admin-handlers.ts";
import { WebhookAddressPolicy } from "./webhooks/webhook-address-policy.ts";
import { webhookHandlers } from "./webhooks/webhook-handlers.ts";
import { admitSubmission, type TenantLimits } from "./tenant-limits.ts";
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
  tenantLimits: TenantLimits;
  /** A SubmitBatch stream that sends nothing for this long is cut, and what it wrote is removed. */
  submitIdleMs: number;
  /** Looks for due webhook deliveries now (a test event was just recorded). */
  kickWebhooks?: () => void;
  /** Where webhooks may be sent: URLs with other literal addresses are refused at registration. Default: globally reachable addresses only. */
  webhookAddresses?: WebhookAddressPolicy;
  /** Drops cached token verdicts: a revocation through this API takes effect at once here. */
  forgetCredentials: () => void;
}

type FarmMethod = "SubmitBatch" | "GetBatch" | "WatchBatch" | "CancelBatch" | "ListOutputs" | "ExportOutputs" | "ListAgents" | "DrainAgent" | "GetVersion"
  | "GetBatchReport" | "CreateToken" | "ListTokens" | "RevokeToken" | "EnrollAgent" | "RevokeAgent" | "ListAuditEvents"
  | "AddWebhook" | "ListWebhooks" | "RemoveWebhook" | "RotateWebhookSecret" | "TestWebhook" | "ListWebhookDeliveries";

/** The Farm API with the authenticated caller made explicit: see guardFarm for how a network call gets one. */
export type FarmImpl = { [K in FarmMethod]: (caller: Caller, ...args: Parameters<FarmHandlers[K]>) => void };

const OUTPUT_PAGE = 500;
const MAX_URL_TTL_MS = 7 * 24 * 3_600_000;
// Batch ids are UUIDs; anything else is refused before it reaches a query or a subject.
const BATCH_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function farmHandlers(deps: FarmServiceDeps): FarmImpl {
  const { db } = deps;
  const fail = (error: unknown) => toGrpcError(error, (e) => deps.log.error({ err: e }, "farm request failed"));
  const unary = <Req, Res>(work: (caller: Caller, request: Req) => Promise<Res>) =>
    (caller: Caller, call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      work(caller, call.request).then((response) => callback(null, response), (error: unknown) => callback(fail(error)));
    };
  // Work that follows an answer already given: a failure is logged, never thrown at nobody.
  const afterwards = (what: string, work: () => Promise<void>) => {
    work().catch((error: unknown) => deps.log.error({ err: error }, `${what} failed`));
  };

  return {
    ...adminHandlers({ db, forgetCredentials: deps.forgetCredentials, disconnectAgent: (agentId) => deps.sessions.get(agentId)?.end() }, unary),
    ...webhookHandlers({ db, kick: () => deps.kickWebhooks?.(), addresses: deps.webhookAddresses ?? new WebhookAddressPolicy() }, unary),

    SubmitBatch(caller, call, callback) {
      const requests = withIdleDeadline(call, deps.submitIdleMs);
      receiveBatch(db, requests, deps.intake, (header) => admitSubmission(db, caller, header, deps.tenantLimits)).then(
        (result) => {
          const answer = { batchId: result.batchId, itemCount: result.itemCount, warnings: result.warnings, megapixelSteps: result.megapixelSteps, dryRun: result.dryRun };
          // A dry run's items are not queued yet: they wait behind the whole queue.
          etaMs(db, result.warnings.length > 0, result.dryRun ? result.itemCount : 0).then(
            (eta) => callback(null, { ...answer, etaMs: eta }),
            (error: unknown) => {
              // The batch is durable: its id is the answer, without an estimate.
              deps.log.warn({ err: error, batchId: result.batchId }, "no ETA for the batch: the throughput query failed");
              callback(null, { ...answer, etaMs: 0 });
            },
          );
          if (result.reused || result.dryRun) return;
          deps.log.info({ batchId: result.batchId, items: result.itemCount, tenant: result.tenantId }, "batch submitted");
          deps.dispatcher().wake();
          // The dispatcher's poll finds the batch even if neither goes out.
          afterwards("publishing a new batch's progress", () => publishProgressOf(db, deps.bus, result.batchId));
          afterwards("announcing a new batch", () => deps.announceWork(result.batchId));
        },
        (error: unknown) => callback(fail(error)),
      );
    },

    GetBatch: unary(async (caller, request) => describeBatch(db, caller, request.batchId)),

    WatchBatch(caller, call) {
      const { batchId } = call.request;
      if (!BATCH_ID.test(batchId)) {
        call.emit("error", fail(batchIdProblem(batchId)));
        return;
      }
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
      // Subscribe before reading the current state so that no change falls in between;
      // nothing is sent before the batch is known to be the caller's.
      let owned = false;
      const early: BatchProgress[] = [];
      const subscription = deps.bus.subscribe(subjects.batchProgress(batchId), (event) => {
        if (owned) send(event.data as BatchProgress);
        else early.push(event.data as BatchProgress);
      });
      call.on("cancelled", end);
      batchStore.counts(db, batchId).then(
        (counts) => {
          if (!counts || counts.state === "receiving" || !mayRead(caller, counts.tenantId)) {
            ended = true;
            subscription.unsubscribe();
            call.emit("error", fail(notFound(batchId)));
            return;
          }
          owned = true;
          send(toProgress(counts));
          for (const progress of early.splice(0)) send(progress);
        },
        (error: unknown) => call.emit("error", fail(error)),
      );
    },

    CancelBatch: unary(async (caller, request) => {
      await describeBatch(db, caller, request.batchId);
      const { shards } = await batchStore.cancel(db, request.batchId);
      for (const shard of shards) {
        await deps.commands.send(shard.agentId, { cancel: { shardId: shard.shardId, itemIds: [], reason: "batch cancelled" } });
      }
      await auditStore.record(db, { actor: caller.actor, action: "batch.cancel", target: request.batchId, detail: { shards: shards.length } });
      await publishProgressOf(db, deps.bus, request.batchId);
      deps.log.info({ batchId: request.batchId, shards: shards.length, actor: caller.actor }, "batch cancelled");
      return describeBatch(db, caller, request.batchId);
    }),

    ListOutputs(caller, call) {
      const { batchId, urlTtlMs } = call.request;
      (async () => {
        if (urlTtlMs > MAX_URL_TTL_MS || (urlTtlMs > 0 && urlTtlMs < 1_000)) {
          throw new ValidationError([`url_ttl_ms must be 0 (no URLs) or between 1000 and ${MAX_URL_TTL_MS} (7 days, what S3 signs at most); got ${urlTtlMs}`]);
        }
        await describeBatch(db, caller, batchId);
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

    ExportOutputs: exportOutputs({ db, store: deps.store, describeBatch: (caller, batchId) => describeBatch(db, caller, batchId), fail }),

    ListAgents: unary(async (caller) => {
      requireAdmin(caller, "list agents");
      return { agents: (await agentRegistry.list(db)).map((row) => toAgent(row, deps.sessions)) };
    }),

    DrainAgent: unary(async (caller, request) => {
      requireAdmin(caller, "drain agents");
      const row = await agentRegistry.setDraining(db, request.agentId, request.drain);
      if (!row) throw new NotFoundError(`agent ${request.agentId} not found`);
      await deps.commands.send(request.agentId, { drain: { drain: request.drain } });
      await auditStore.record(db, { actor: caller.actor, action: request.drain ? "agent.drain" : "agent.undrain", target: request.agentId });
      return toAgent(row, deps.sessions);
    }),

    GetVersion: unary(async () => ({ version: VERSION, proto: PROTO_VERSION })),

    GetBatchReport: unary(async (caller, request) => {
      // Checks the id and that the caller may read the batch, as GetBatch does.
      await describeBatch(db, caller, request.batchId);
      const report = await batchReport.of(db, request.batchId);
      if (!report) throw notFound(request.batchId);
      return { batchId: request.batchId, ...report };
    }),
  };
}

async function etaMs(db: Database, waiting: boolean, notQueuedItems: number): Promise<number> {
  if (waiting) return 0;
  const { itemsPerSecond, queued } = await capacityStore.throughput(db, 5 * 60_000);
  return itemsPerSecond > 0 ? Math.round(((queued + notQueuedItems) / itemsPerSecond) * 1000) : 0;
}

/** An admin reads every tenant's batches; anyone else only their own. */
function mayRead(caller: Caller, tenantId: string): boolean {
  return caller.admin || caller.tenantId === tenantId;
}

function requireAdmin(caller: Caller, what: string): void {
  if (!caller.admin) throw new PermissionDeniedError(`only an admin token may ${what}`);
}

function batchIdProblem(batchId: string): ValidationError {
  return new ValidationError([`batch_id must be a batch's UUID (got ${JSON.stringify(batchId.slice(0, 80))})`]);
}

// Another tenant's batch is answered exactly as a batch that does not exist: ids must not leak.
function notFound(batchId: string): NotFoundError {
  return new NotFoundError(`batch ${batchId} not found`);
}

async function describeBatch(db: Database, caller: Caller, batchId: string): Promise<Batch> {
  if (!BATCH_ID.test(batchId)) throw batchIdProblem(batchId);
  const batch = await batchStore.get(db, batchId);
  if (!batch || !mayRead(caller, batch.tenantId)) throw notFound(batchId);
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
    axes: batch.planAxes ?? [],
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
