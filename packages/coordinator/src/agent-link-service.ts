import { setTimeout as sleep } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import { BUSY_RETRY_AFTER_MS, toGrpcError, unavailable } from "./errors.ts";
import { agentRegistry, DatabaseBusyError, leaseStore, resultStore, type BatchCounts, type Database, type EnrolledAgent } from "@atelier/db";
import type { AgentMessage__Output, CoordinatorMessage, Heartbeat__Output, Hello__Output, ItemResult__Output, ResultAck, Slots__Output } from "@atelier/protocol";
import { AgentSession, LEASES_PER_SLOT } from "./agent-session.ts";
import { helloProblem, type AgentCaps } from "./agent-caps.ts";
import type { Authenticator } from "./auth/authenticator.ts";
import type { Dispatcher } from "./dispatcher.ts";
import { subjects, type EventBus } from "./events/index.ts";
import type { Logger } from "@atelier/common";
import { failureReason, type FarmMetrics } from "./metrics.ts";
import type { OutputRecorder } from "./output-recorder.ts";
import type { UploadLedger } from "./storage/upload-ledger.ts";
import { recordOutputResults } from "./output-results.ts";
import { publishProgress, publishProgressOf } from "./progress.ts";
import type { ObjectStore } from "./storage/index.ts";
import { LIMITS } from "./limits.ts";

export interface AgentLinkOptions {
  heartbeatIntervalMs: number;
  leaseTtlMs: number;
  coordinatorId: string;
  caps: AgentCaps;
}

export interface AgentLinkDeps {
  db: Database;
  store: ObjectStore;
  bus: EventBus;
  auth: Authenticator;
  sessions: Map<string, AgentSession>;
  dispatcher: () => Dispatcher;
  metrics: FarmMetrics;
  log: Logger;
  recorder: OutputRecorder;
  /** The object store's notices of uploads, where configured. */
  uploads?: UploadLedger;
  options: AgentLinkOptions;
}

type AgentCall = grpc.ServerDuplexStream<AgentMessage__Output, CoordinatorMessage>;

const status = (code: grpc.status, details: string): grpc.ServiceError =>
  Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() }) as grpc.ServiceError;

/**
 * Serves AgentLink.Connect: one stream per enrolled agent. The stream's
 * credential says which agent it is; nothing the agent sends can change
 * that. Messages from one agent are handled in order (a result before the
 * ShardDone that follows it), at most `caps.maxQueuedMessages` waiting (more
 * ends the stream: RESOURCE_EXHAUSTED); one that finds the database busy is
 * tried again, in place, until it goes through. Heartbeats skip the queue,
 * on connections of their own, so that results stuck behind a busy database
 * never cost an agent its leases; one agent has at most one renewal in
 * flight, and the beats that wait for it go into the next one together, so a
 * flood of heartbeats costs the database no more than one renewal per
 * `caps.minHeartbeatGapMs` (each beat still gets its answer), and a stream that sends more
 * than `caps.maxHeartbeatsPerSecond` is ended (RESOURCE_EXHAUSTED) before it
 * costs the coordinator's CPU what honest agents need.
 */
export function agentLinkHandler(deps: AgentLinkDeps) {
  return (call: AgentCall) => {
    let session: AgentSession | undefined;
    let stopped = false;
    let queued = 0;
    const stop = (error: grpc.ServiceError) => {
      if (stopped) return;
      stopped = true;
      // Emitting (not destroying) makes grpc-js send the status.
      call.emit("error", error);
    };
    const fail = (error: unknown) => {
      if (error instanceof AgentRefusal) {
        deps.log.warn({ agentId: session?.id, reason: error.message }, "agent stream refused");
        stop(status(error.code, error.message));
        return;
      }
      const known = toGrpcError(error, () => {});
      if (known.code !== grpc.status.INTERNAL) return stop(known);
      deps.log.error({ err: error, agentId: session?.id }, "agent message failed");
      // The agent sees the stream end, reconnects and re-sends what was not acknowledged.
      stop(unavailable(`the coordinator could not handle a message: ${(error as Error).message}`));
    };

    // Every message waits for the credential's verdict; a stream without a valid one ends there.
    const enrolled = deps.auth.agent(call.metadata);
    let queue: Promise<unknown> = enrolled.catch(fail);
    const beats = new HeartbeatGate(deps.options.caps.minHeartbeatGapMs);
    const flood = new PerSecondLimit(deps.options.caps.maxHeartbeatsPerSecond);

    call.on("data", (message: AgentMessage__Output) => {
      if (stopped) return;
      if (message.heartbeat) {
        if (!session) return;
        if (!flood.allow(Date.now())) {
          stop(status(grpc.status.RESOURCE_EXHAUSTED, `more than ${deps.options.caps.maxHeartbeatsPerSecond} heartbeats in a second; an agent beats once per interval`));
          return;
        }
        const current = session;
        beats.offer(message.heartbeat, (waiting) =>
          heartbeat(deps, current, waiting).catch((error: unknown) => {
            // A renewal that missed is made good by the next heartbeat, a third of a lease later.
            if (error instanceof DatabaseBusyError) deps.log.warn({ agentId: current.id, err: error.message }, "heartbeat not renewed: database busy");
            else fail(error);
          }),
        );
        return;
      }
      if (message.slots && session) {
        // At once, not behind the results queued before it: the renderer it frees waits on nothing they do.
        try {
          onSlots(deps, session, message.slots);
        } catch (error) {
          fail(error);
        }
        return;
      }
      if (++queued > deps.options.caps.maxQueuedMessages) {
        stop(status(grpc.status.RESOURCE_EXHAUSTED, `more than ${deps.options.caps.maxQueuedMessages} messages waiting on one stream; send less at once`));
        return;
      }
      queue = queue
        .then(async () => {
          if (stopped) return;
          const agent = await enrolled;
          if (message.hello) {
            if (session) throw new AgentRefusal(grpc.status.FAILED_PRECONDITION, "hello may be sent only once per stream");
            session = await retryWhileBusy(() => welcome(deps, call, message.hello!, agent), () => !stopped);
            return;
          }
          const current = session;
          if (!current) throw new AgentRefusal(grpc.status.FAILED_PRECONDITION, "the first message on AgentLink.Connect must be a hello");
          await retryWhileBusy(() => handle(deps, current, message), () => current.open);
        })
        .catch(fail)
        .finally(() => queued--);
    });
    const finish = () => {
      queue = queue.then(async () => {
        if (!session || deps.sessions.get(session.id) !== session) return;
        deps.sessions.delete(session.id);
        session.end();
        deps.metrics.agentsConnected.set(deps.sessions.size);
        await agentRegistry.markOffline(deps.db, session.id).catch(() => {});
        await deps.bus.publish(subjects.agentStatus(session.id), { agentId: session.id, status: "offline" }).catch(() => {});
        deps.log.info({ agentId: session.id }, "agent disconnected");
      });
    };
    call.on("end", finish);
    call.on("error", finish);
    call.on("close", finish);
  };
}

/** Ends the stream with this status and message. */
class AgentRefusal extends Error {
  constructor(readonly code: grpc.status, message: string) {
    super(message);
  }
}

async function welcome(deps: AgentLinkDeps, call: AgentCall, hello: Hello__Output, agent: EnrolledAgent) {
  const { caps } = deps.options;
  if (hello.agentId && hello.agentId !== agent.agentId) {
    throw new AgentRefusal(grpc.status.PERMISSION_DENIED, `this credential is enrolled as agent ${agent.agentId}; hello.agent_id may only name that agent`);
  }
  const problem = helloProblem(hello, caps);
  if (problem) throw new AgentRefusal(grpc.status.INVALID_ARGUMENT, problem);
  // One stream per agent: while the live one is heard from, another is refused
  // and the live one keeps running. One gone quiet (its connection died
  // without a word) gives way to the same credential reconnecting.
  const live = deps.sessions.get(agent.agentId);
  if (live?.open && Date.now() - live.lastHeardAtMs < 2 * deps.options.heartbeatIntervalMs) {
    throw new AgentRefusal(grpc.status.ALREADY_EXISTS, `agent ${agent.agentId} is already connected; a second stream is refused while the first is alive`);
  }
  const info = {
    id: agent.agentId,
    name: hello.name || agent.agentId,
    gpu: hello.gpu,
    memoryBytes: hello.memoryBytes,
    providers: hello.providers,
    models: hello.models,
    // Only for models it lists: an architecture or upscaler is what the agent can load, as it detected it.
    architectures: hello.modelInfo.filter((m) => hello.models.includes(m.name)).map((m) => `${m.name}@${m.architecture}`),
    upscalers: hello.upscalers,
    slots: Math.min(Math.max(1, hello.slots), caps.maxSlots),
    maxWidth: Math.min(hello.maxWidth || caps.maxSide, caps.maxSide),
    maxHeight: Math.min(hello.maxHeight || caps.maxSide, caps.maxSide),
    version: hello.version,
  };
  const { draining } = await agentRegistry.upsert(deps.db, info);
  const session = new AgentSession(info, call);
  session.draining = draining;
  live?.end();
  deps.sessions.set(info.id, session);
  deps.metrics.agentsConnected.set(deps.sessions.size);
  session.send({
    welcome: {
      coordinatorId: deps.options.coordinatorId,
      heartbeatIntervalMs: deps.options.heartbeatIntervalMs,
      leaseTtlMs: deps.options.leaseTtlMs,
    },
  });
  if (draining) session.send({ drain: { drain: true } });
  await deps.bus.publish(subjects.agentStatus(info.id), { agentId: info.id, status: "online", name: info.name });
  deps.log.info({ agentId: info.id, name: info.name, pool: agent.pool, models: info.models, slots: info.slots }, "agent connected");
  return session;
}

async function handle(deps: AgentLinkDeps, session: AgentSession, message: AgentMessage__Output): Promise<void> {
  const { db } = deps;
  session.heard();
  if (message.slots) {
    onSlots(deps, session, message.slots);
  } else if (message.results) {
    if (message.results.results.length > deps.options.caps.maxResultsPerMessage) {
      throw new AgentRefusal(grpc.status.INVALID_ARGUMENT, `at most ${deps.options.caps.maxResultsPerMessage} results per message`);
    }
    await onResults(deps, session, message.results.results, (acks) => session.send({ resultAcks: { acks } }));
  } else if (message.shardDone) {
    const { shardId, epoch } = message.shardDone;
    session.shards.delete(shardId);
    const settled = await leaseStore.finish(db, shardId, epoch, session.id);
    for (const batch of settled.batches) await publishProgressOf(db, deps.bus, batch.batchId);
    // The agent's slot is free again (it may have announced it before this message), and items may be back in the queue.
    deps.dispatcher().wake();
  } else if (message.released) {
    const { shardId, epoch, reason } = message.released;
    session.shards.delete(shardId);
    const settled = await leaseStore.release(db, shardId, epoch, session.id);
    deps.log.info({ agentId: session.id, shardId, reason: reason.slice(0, 200) }, "agent released shard");
    if (settled.shards > 0) deps.dispatcher().wake();
  }
}

/** The agent's free slots and the shards it is finishing: the dispatcher may hand it more. */
function onSlots(deps: AgentLinkDeps, session: AgentSession, slots: Slots__Output): void {
  session.heard();
  const most = LEASES_PER_SLOT * session.hello.slots;
  if (slots.finishing.length > most) {
    throw new AgentRefusal(grpc.status.INVALID_ARGUMENT, `slots.finishing names at most ${most} shards (${LEASES_PER_SLOT} per slot)`);
  }
  // Never more than the slots it said it has, whatever it announces now.
  session.freeSlots = Math.min(slots.free, session.hello.slots);
  session.finishing(slots.finishing);
  deps.dispatcher().wake();
}

/** Counts events in the current one-second window; false once there were more than `limit`. */
class PerSecondLimit {
  private windowStart = 0;
  private count = 0;

  constructor(private readonly limit: number) {}

  allow(nowMs: number): boolean {
    if (nowMs - this.windowStart >= 1_000) {
      this.windowStart = nowMs;
      this.count = 0;
    }
    return ++this.count <= this.limit;
  }
}

/**
 * Lets through one renewal at a time, at most one per `minGapMs`; the beats
 * that arrive meanwhile wait and go together into the next renewal, each
 * still answered on its own (the agent pairs answers with beats in order).
 */
class HeartbeatGate {
  private running = false;
  private waiting: Heartbeat__Output[] = [];
  private lastAt = 0;

  constructor(private readonly minGapMs: number) {}

  offer(beat: Heartbeat__Output, renew: (beats: Heartbeat__Output[]) => Promise<void>): void {
    this.waiting.push(beat);
    if (!this.running) void this.drain(renew);
  }

  private async drain(renew: (beats: Heartbeat__Output[]) => Promise<void>): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const gap = this.lastAt + this.minGapMs - Date.now();
        if (gap > 0) await sleep(gap);
        const beats = this.waiting;
        this.waiting = [];
        this.lastAt = Date.now();
        await renew(beats);
      }
    } finally {
      this.running = false;
    }
  }
}

/**
 * Renews the leases the beats name, in one statement, and answers each beat
 * with the renewed leases it asked for; the agent's last-seen time follows,
 * on the ordinary connections, unawaited.
 */
async function heartbeat(deps: AgentLinkDeps, session: AgentSession, beats: readonly Heartbeat__Output[]): Promise<void> {
  session.heard();
  const key = (lease: { shardId: string; epoch: number }) => `${lease.shardId}/${lease.epoch}`;
  const asked = new Map<string, { shardId: string; epoch: number }>();
  for (const beat of beats) for (const lease of beat.leases) asked.set(key(lease), { shardId: lease.shardId, epoch: lease.epoch });
  const renewedAt = Date.now();
  const renewed = await leaseStore.renew(deps.db, session.id, [...asked.values()].slice(0, deps.options.caps.maxSlots * 2), deps.options.leaseTtlMs);
  session.renewed(renewed.map((lease) => lease.shardId), renewedAt + deps.options.leaseTtlMs);
  const live = new Set(renewed.map(key));
  for (const beat of beats) {
    session.send({ heartbeatAck: { renewed: beat.leases.filter((lease) => live.has(key(lease))), leaseTtlMs: deps.options.leaseTtlMs } });
  }
  // Last-seen follows on the ordinary connections, which may all be busy: the
  // next renewal must not wait for it (one agent's renewals go one at a time).
  agentRegistry.touch(deps.db, session.id).catch((error: unknown) => {
    deps.log.debug({ agentId: session.id, err: (error as Error).message }, "last-seen time not updated");
  });
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
  if (!LIMITS.rowId.test(result.itemId)) return { ack: ack(false, "item_id must be an item's number") };
  const outcome = await resultStore.recordFailure(deps.db, {
    itemId: result.itemId,
    epoch: result.epoch,
    agentId: session.id,
    error: result.error.slice(0, 2_000),
    retryable: result.retryable,
  });
  if (!outcome.accepted) return { ack: ack(false, outcome.reason) };
  deps.metrics.itemsFailed.inc({ final: String(outcome.itemState === "failed"), reason: failureReason(result.error) });
  deps.log.warn({ agentId: session.id, itemId: result.itemId, error: result.error.slice(0, 2_000), state: outcome.itemState }, "item failed");
  return { ack: ack(true), counts: outcome.counts };
}
