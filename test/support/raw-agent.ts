import { createHash } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import {
  agentLinkService,
  clientChannel,
  type AgentLinkClient,
  type AgentMessage,
  type Assign__Output,
  type CoordinatorMessage__Output,
  type Hello,
  type ItemResult,
} from "@atelier/protocol";

/**
 * Speaks AgentLink directly, message by message, as a hand-written agent (or
 * a rogue one) would: tests use it to send what a real agent never sends.
 */
export interface RawAgent {
  send(message: AgentMessage): void;
  /** The next message of this kind from the coordinator (earlier ones of other kinds are kept). */
  next<K extends keyof CoordinatorMessage__Output>(kind: K, timeoutMs?: number): Promise<NonNullable<CoordinatorMessage__Output[K]>>;
  /** Resolves with the status the stream ended with. */
  ended: Promise<grpc.StatusObject>;
  close(): void;
}

export function connectRawAgent(address: string, credential: string | undefined, hello?: Partial<Hello>): RawAgent {
  const channel = clientChannel({ token: credential });
  const client = new (agentLinkService())(address, channel.credentials, channel.options) as unknown as AgentLinkClient;
  const stream = client.Connect() as grpc.ClientDuplexStream<AgentMessage, CoordinatorMessage__Output>;
  const messages: CoordinatorMessage__Output[] = [];
  const waiters: (() => void)[] = [];
  const ended = new Promise<grpc.StatusObject>((resolve) => stream.on("status", resolve));
  stream.on("error", () => {}); // the status says how it ended
  stream.on("data", (message: CoordinatorMessage__Output) => {
    messages.push(message);
    for (const wake of waiters.splice(0)) wake();
  });
  if (hello) stream.write({ hello: { slots: 1, models: ["raw-model"], maxWidth: 512, maxHeight: 512, ...hello } });
  return {
    send: (message) => stream.write(message),
    async next(kind, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.findIndex((message) => message[kind]);
        if (found >= 0) return messages.splice(found, 1)[0]![kind]!;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${String(kind)} from the coordinator within ${timeoutMs} ms`);
        await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), new Promise((resolve) => setTimeout(resolve, Math.min(left, 500)))]);
      }
    },
    ended,
    close() {
      stream.cancel();
      client.close();
    },
  };
}

const hex = (algorithm: string, bytes: Uint8Array) => createHash(algorithm).update(bytes).digest("hex");

/** The result a real agent would report for `bytes` uploaded as item `index` of `assign`. */
export function resultFor(assign: Assign__Output, index: number, bytes: Uint8Array, size: { width: number; height: number }): ItemResult {
  const item = assign.items[index]!;
  return {
    shardId: assign.shardId,
    epoch: assign.epoch,
    itemId: item.itemId,
    key: item.key,
    sha256: hex("sha256", bytes),
    md5: hex("md5", bytes),
    bytes: bytes.length,
    width: size.width,
    height: size.height,
    renderMs: 10,
  };
}

/** PUTs bytes to an upload URL as an agent does (create-only). */
export function upload(url: string, bytes: Uint8Array): Promise<Response> {
  return fetch(url, { method: "PUT", body: bytes, headers: { "content-type": "image/png", "if-none-match": "*" } });
}
