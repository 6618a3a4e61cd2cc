import { setTimeout as sleep } from "node:timers/promises";
import type * as grpc from "@grpc/grpc-js";
import { BUSY_RETRY_AFTER_MS, unavailable } from "./errors.ts";
import { agentRegistry, DatabaseBusyError, leaseStore, resultStore, type AgentHello, type BatchCounts, type Database } from "@atelier/db";
import type { AgentMessage__Output, CoordinatorMessage, Heartbeat__Output, Hello__Output, ItemResult__Output, ResultAck } from "@atelier/protocol";
import { AgentSession } from "./agent-session.ts";
import type { Dispatcher } from "./dispatcher.ts";
import { subjects, type EventBus } from "./events/index.ts";
import type { Logger } from "./logger.ts";
import { failureReason, type FarmMetrics } from "./metrics.ts";
import type { OutputRecorder } from "./output-recorder.ts";
import { recordOutputResults } from "./output-results.ts";
import { publishProgress, publishProgressOf } from "./progress.ts";
import type { ObjectStore } from "./storage/index.ts";

export interface AgentLinkOptions {
  heartbeatIntervalMs: number;
  leaseTtlMs: number;
  coordinatorId: string;
}

export interface AgentLinkDeps {
  db: Database;
  store: ObjectStore;
  bus: EventBus;
  sessions: Map<string, AgentSession>;
  dispatcher: () => Dispatcher;
  metrics: FarmMetrics;
  log: Logger;
  recorder: OutputRecorder;
  options: AgentLinkOptions;
}

/**
 * Serves AgentLink.Connect: one stream per agent. Messages from one agent are
 * handled in order (a result before the ShardDone that follows it), and one
 * that finds the database busy is tried again, in place, until it goes
 * through; heartbeats alone skip the queue, on connections of their own, so
 * that results stuck behind a busy database never cost an agent its leases.
 */
export function agentLinkHandler(deps: AgentLinkDeps) {
  return (call: grpc.ServerDuplexStream<AgentMessage__Output, CoordinatorMessage>) => {
    let session: AgentSession | undefined;
    let queue = Promise.resolve();
    const fail = (error: unknown) => {
      deps.log.error({ err: error, agentId: session?.id }, "agent message failed");
      // Emitting (not destroying) makes grpc-js send the status: the agent
      // sees the stream end, reconnects and re-sends what was not acknowledged.
      call.emit("error", unavailable(`the coordinator could not handle a message: ${(error as Error).message}`));
    };

    call.on("data", (message: AgentMessage__Output) => {
      if (message.heartbeat && session) {
        const current = session;
        heartbeat(deps, current, message.heartbeat).catch((error: unknown) => {
          // A renewal that missed is made good by the next heartbeat, a third of a lease later.
          if (error instanceof DatabaseBusyError) deps.log.warn({ agentId: current.id, err: error.message }, "heartbeat not renewed: database busy");
          else fail(error);
        });
        return;
      }
      queue = queue
        .then(async () => {
          if (message.hello) {
            session = await retryWhileBusy(() => welcome(deps, call, message.hello!), () => true);
            return;
          }
          const current = session;
          if (!current) throw new Error("the first message on AgentLink.Connect must be a hello");
          await retryWhileBusy(() => handle(deps, current, message), () => current.open);
        })
        .catch(fail);
    });
    const finish = () => {
      queue = queue.then(async () => {
        if (!session || deps.sessions.get(session.id) !== session) return;
        deps.sessions.delete(session.id);
        session.end();
        deps.metrics.agentsConnected.set(deps.sessions.size);
        await agentRegistry.markOffline(deps.db, session.id).catch(() => {});
        await deps.bus.publish(subjects.agentStatus(session.id), { agentId: session.id, status: "offline" });
        deps.log.info({ agentId: session.id }, "agent disconnected");
      });
    };
    call.on("end", finish);
    call.on("error", finish);
    call.on("close", finish);
  };
}

async function welcome(deps: AgentLinkDeps, call: grpc.ServerDuplexStream<AgentMessage__Output, CoordinatorMessage>, hello: Hello__Output) {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(hello.agentId)) {
    throw new Error(`hello.agent_id "${hello.agentId}" must be 1-128 letters, digits, _ or -`);
  }
  const info: AgentHello = {
    id: hello.agentId,
    name: hello.name || hello.agentId,
    gpu: hello.gpu,
    memoryBytes: hello.memoryBytes,
    providers: hello.providers,
    models: hello.models,
    slots: Math.max(1, hello.slots),
    maxWidth: hello.maxWidth || 2048,
    maxHeight: hello.maxHeight || 2048,
    version: hello.version,
  };
  const { draining } = await agentRegistry.upsert(deps.db, info);
  const session = new AgentSession(info, call);
  session.draining = draining;
  // A reconnect replaces the old stream: there is one session per agent.
  deps.sessions.get(info.id)?.end();
  deps.sessions.set(info.id, session);
  deps.metrics.agentsConnected.set(deps.sessions.size);
  session.send({
    welcome: {
      coordinatorId: deps.options.coordinatorId,
      heartbeatIntervalMs: deps.options.heartbeatIntervalMs,
      leaseTtlMs: deps.options.leaseTtlMs,
      resultBatches: true,
    },
  });
  if (draining) session.send({ drain: { drain: true } });
  await deps.bus.publish(subjects.agentStatus(info.id), { agentId: info.id, status: "online", name: info.name });
  deps.log.info({ agentId: info.id, name: info.name, models: info.models, slots: info.slots }, "agent connected");
  return session;
}

async function handle(deps: AgentLinkDeps, session: AgentSession, message: AgentMessage__Output): Promise<void> {
  const { db } = deps;
  if (message.slots) {
    session.freeSlots = message.slots.free;
    deps.dispatcher().wake();
  } else if (message.heartbeat) {
    await heartbeat(deps, session, message.heartbeat);
  } else if (message.result) {
    await onResults(deps, session, [message.result], ([ack]) => session.send({ resultAck: ack! }));
  } else if (message.results) {
    await onResults(deps, session, message.results.results, (acks) => session.send({ resultAcks: { acks } }));
  } else if (message.shardDone) {
    const { shardId, epoch } = message.shardDone;
    session.shards.delete(shardId);
    const settled = await leaseStore.finish(db, shardId, epoch);
    for (const batch of settled.batches) await publishProgressOf(db, deps.bus, batch.batchId);
    if (settled.batches.some((b) => b.requeued > 0)) deps.dispatcher().wake();
  } else if (message.released) {
    const { shardId, epoch, reason } = message.released;
    session.shards.delete(shardId);
    const settled = await leaseStore.release(db, shardId, epoch);
    deps.log.info({ agentId: session.id, shardId, reason }, "agent released shard");
    if (settled.shards > 0) deps.dispatcher().wake();
  }
}

/** Renews the leases the agent names and acks; its last-seen time follows, on the ordinary connections. */
async function heartbeat(deps: AgentLinkDeps, session: AgentSession, beat: Heartbeat__Output): Promise<void> {
  const asked = beat.leases.map((l) => ({ shardId: l.shardId, epoch: l.epoch }));
  const renewed = await leaseStore.renew(deps.db, session.id, asked, deps.options.leaseTtlMs);
  session.send({ heartbeatAck: { renewed, leaseTtlMs: deps.options.leaseTtlMs } });
  await agentRegistry.touch(deps.db, session.id);
}

/**
 * Runs `work` again, after a growing pause, for as long as it finds the
 * database busy and `wanted()` holds. Each message's handling is safe to
 * repeat: what was recorded before is answered as a duplicate.
 */
async function retryWhileBusy<T>(work: () => Promise<T>, wanted: () => boolean): Promise<T> {
  for (let pauseMs = 100; ; pauseMs = Math.min(2 * pauseMs, BUSY_RETRY_AFTER_MS)) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof DatabaseBusyError) || !wanted()) throw error;
      await sleep(pauseMs);
    }
  }
}

/**
 * Failures are recorded one by one (they are rare); outputs together. Acks
 * keep the order of `results` and go out before progress is published.
 */
async function onResults(deps: AgentLinkDeps, session: AgentSession, results: readonly ItemResult__Output[], send: (acks: ResultAck[]) => void): Promise<void> {
  const outputs = await recordOutputResults(deps, session, results.filter((result) => !result.error));
  const progress = [...outputs.progress];
  let nextOutput = 0;
  const acks: ResultAck[] = [];
  for (const result of results) {
    if (!result.error) {
      acks.push(outputs.acks[nextOutput++]!);
      continue;
    }
    const failure = await onFailure(deps, session, result);
    acks.push(failure.ack);
    if (failure.counts) progress.push(failure.counts);
  }
  send(acks);
  for (const counts of progress) await publishProgress(deps.db, deps.bus, counts);
}

async function onFailure(deps: AgentLinkDeps, session: AgentSession, result: ItemResult__Output): Promise<{ ack: ResultAck; counts?: BatchCounts }> {
  const ack = (accepted: boolean, reason = ""): ResultAck => ({ itemId: result.itemId, epoch: result.epoch, accepted, reason });
  const outcome = await resultStore.recordFailure(deps.db, {
    itemId: result.itemId,
    epoch: result.epoch,
    error: result.error,
    retryable: result.retryable,
  });
  if (!outcome.accepted) return { ack: ack(false, outcome.reason) };
  deps.metrics.itemsFailed.inc({ final: String(outcome.itemState === "failed"), reason: failureReason(result.error) });
  deps.log.warn({ agentId: session.id, itemId: result.itemId, error: result.error, state: outcome.itemState }, "item failed");
  return { ack: ack(true), counts: outcome.counts };
}
