import type { IncomingMessage, ServerResponse } from "node:http";
import type { BatchProgress } from "@atelier/protocol";
import { subjects, type EventBus, type EventSubscription } from "../events/index.ts";
import type { ExportJobProgress, FarmLoadSample } from "@atelier/dashboard/api-types";

export interface EventStreamOptions {
  bus: EventBus;
  coordinatorId: string;
  /** Events are coalesced and sent at most this often: a busy batch reports hundreds of times a second. */
  flushMs: number;
  /** A comment this often keeps proxies from closing an idle stream, and ends streams whose session ended. */
  heartbeatMs: number;
  /** A client this far behind is cut off; it reconnects and re-reads the state. */
  maxBufferedBytes: number;
  isSessionLive: (sessionId: string) => boolean;
  ratePerMin: (batchId: string) => number;
  onClientCount: (count: number) => void;
}

interface Client {
  response: ServerResponse;
  sessionId: string;
}

/**
 * Server-Sent Events for the dashboard, fed by the event bus: batch progress
 * (latest per batch, with its rate), dataset exports' progress (latest per
 * export), agent status changes, and this coordinator's farm load samples.
 * One set of bus subscriptions serves every browser. Events are hints: a
 * client that reconnects re-reads the state through the JSON API, so
 * nothing is replayed.
 */
export class EventStreamHub {
  private readonly clients = new Set<Client>();
  private readonly progress = new Map<string, BatchProgress>();
  private readonly agents = new Map<string, unknown>();
  private readonly exports = new Map<string, ExportJobProgress>();
  private load: FarmLoadSample | undefined;
  private readonly subscriptions: EventSubscription[];
  private readonly flushTimer: NodeJS.Timeout;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private nextId = 1;

  constructor(private readonly options: EventStreamOptions) {
    const { bus } = options;
    this.subscriptions = [
      bus.subscribe(subjects.batchProgress("*"), (event) => {
        const progress = event.data as BatchProgress;
        this.progress.set(String(progress.batchId), progress);
      }),
      bus.subscribe(subjects.agentStatus("*"), (event) => {
        const status = event.data as { agentId: string };
        this.agents.set(status.agentId, { ...status, atMs: event.at });
      }),
      bus.subscribe(subjects.batchExport("*"), (event) => {
        const progress = event.data as ExportJobProgress;
        this.exports.set(progress.id, progress);
      }),
      bus.subscribe(subjects.farmLoad, (event) => {
        const sample = event.data as FarmLoadSample;
        // Every coordinator samples the same farm; one series per chart.
        if (sample.coordinatorId === options.coordinatorId) this.load = sample;
      }),
    ];
    this.flushTimer = setInterval(() => this.flush(), options.flushMs);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), options.heartbeatMs);
    this.flushTimer.unref();
    this.heartbeatTimer.unref();
  }

  open(request: IncomingMessage, response: ServerResponse, sessionId: string): void {
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      // nginx would otherwise buffer the stream.
      "x-accel-buffering": "no",
    });
    response.write(`retry: 3000\nevent: hello\ndata: ${JSON.stringify({ atMs: Date.now() })}\n\n`);
    const client: Client = { response, sessionId };
    this.clients.add(client);
    this.options.onClientCount(this.clients.size);
    request.on("close", () => this.drop(client));
  }

  /** Ends the streams of a session that signed out. */
  endSession(sessionId: string): void {
    for (const client of this.clients) if (client.sessionId === sessionId) this.drop(client);
  }

  close(): void {
    clearInterval(this.flushTimer);
    clearInterval(this.heartbeatTimer);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    for (const client of this.clients) this.drop(client);
  }

  private flush(): void {
    const messages: string[] = [];
    if (this.progress.size > 0) {
      const batches = [...this.progress.values()].map((p) => ({ ...p, ratePerMin: this.options.ratePerMin(String(p.batchId)) }));
      messages.push(this.message("progress", batches));
      this.progress.clear();
    }
    if (this.agents.size > 0) {
      messages.push(this.message("agents", [...this.agents.values()]));
      this.agents.clear();
    }
    if (this.exports.size > 0) {
      messages.push(this.message("exports", [...this.exports.values()]));
      this.exports.clear();
    }
    if (this.load) {
      messages.push(this.message("load", this.load));
      this.load = undefined;
    }
    if (messages.length > 0) this.broadcast(messages.join(""));
  }

  private heartbeat(): void {
    for (const client of this.clients) if (!this.options.isSessionLive(client.sessionId)) this.drop(client);
    this.broadcast(": keep-alive\n\n");
  }

  private message(event: string, data: unknown): string {
    return `id: ${this.nextId++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  private broadcast(text: string): void {
    for (const client of this.clients) {
      if (client.response.writableLength > this.options.maxBufferedBytes) this.drop(client);
      else client.response.write(text);
    }
  }

  private drop(client: Client): void {
    if (!this.clients.delete(client)) return;
    client.response.end();
    this.options.onClientCount(this.clients.size);
  }
}
