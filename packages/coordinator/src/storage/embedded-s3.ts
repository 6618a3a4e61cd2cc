import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import type { RequestListener, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { directPuts } from "./direct-put.ts";
import { keepS3Promises } from "./s3rver-store.ts";

export interface EmbeddedS3Options {
  /** Where objects are stored, as plain files. Uploads in progress go to a sibling folder, `<directory>.uploads`. */
  directory: string;
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1: the embedded server checks no signatures, so it must not face a network. */
  host?: string;
  /**
   * Given the server's S3 event notifications (AWS's JSON): objects created
   * or removed. Records that come within NOTICE_DELAY_MS of each other go in
   * one message, up to NOTICE_RECORDS, as S3's format allows.
   */
  notify?: (payload: Uint8Array) => void;
}

export interface EmbeddedS3 {
  endpoint: string;
  accessKeyId: "S3RVER";
  secretAccessKey: "S3RVER";
  /** Idempotent. */
  close(): Promise<void>;
}

// s3rver ships no types; this is the slice of it we use.
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  httpServer?: Server;
  store: unknown;
  context: { store: unknown };
  middleware: Parameters<typeof keepS3Promises>[0]["middleware"];
  on(event: "event", listener: (notification: unknown) => void): void;
  emit(event: "event", notification: unknown): boolean;
  listenerCount(event: "event"): number;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: [];
}) => S3rverInstance;

/**
 * Starts s3rver, an S3-compatible server, for development and tests. It
 * stores and serves objects faithfully but does NOT verify SigV4 signatures:
 * it is no security boundary, and tests of URL abuse must check what we sign.
 * Its store is made to keep S3's promises that s3rver alone does not:
 * create-only PUTs (`If-None-Match: *`) and atomic replacement. Plain object
 * PUTs, a farm's images, are served in front of s3rver's middleware
 * (direct-put.ts), through the same store.
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  const host = options.host ?? "127.0.0.1";
  // Required here, not at import: a coordinator on real S3 never loads it.
  const S3rver = createRequire(import.meta.url)("s3rver") as S3rverConstructor;
  const server = new S3rver({
    address: host,
    port: options.port ?? 0,
    directory: options.directory,
    silent: true,
    configureBuckets: [],
  });
  // Uploads in progress live here; what a crash left behind is of no use.
  const uploads = `${options.directory}.uploads`;
  await rm(uploads, { recursive: true, force: true });
  const store = keepS3Promises(server, { root: options.directory, uploads });
  // Silent still formats a coloured log line for each request and answer (koa-logger), a few per cent of the server's thread.
  const requestLogger = server.middleware.findIndex((middleware) => middleware.name === "logger");
  if (requestLogger >= 0) server.middleware.splice(requestLogger, 1);
  const notices = options.notify ? new NoticeBatcher(options.notify) : undefined;
  if (notices) server.on("event", (notification) => notices.add(notification));
  const { port } = await server.run();
  const httpServer = server.httpServer;
  if (httpServer === undefined) throw new Error("s3rver started without an HTTP server");
  // Plain object PUTs are served in front of s3rver's middleware; every other request goes on to it.
  const [koa] = httpServer.listeners("request") as RequestListener[];
  if (koa === undefined) throw new Error("s3rver started without a request listener");
  httpServer.removeAllListeners("request");
  httpServer.on("request", directPuts({
    ...store,
    wantsEvents: () => server.listenerCount("event") > 0,
    emitEvent: (event) => server.emit("event", event),
  }, koa));
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        httpServer.close((error) => {
          notices?.flush();
          if (error) reject(error);
          else resolve();
        });
        // Clients' keep-alive sockets would otherwise hold close() open.
        httpServer.closeAllConnections();
      }).then(() => rm(uploads, { recursive: true, force: true }));
      return closing;
    },
  };
}

// A message per upload costs the bus and every reader about as much as its
// record does: records a few milliseconds apart share one.
const NOTICE_DELAY_MS = 2;
const NOTICE_RECORDS = 100;

/** Gathers s3rver's notifications' records into messages of S3's format. */
class NoticeBatcher {
  private records: unknown[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly send: (payload: Uint8Array) => void) {}

  add(notification: unknown): void {
    const records = (notification as { Records?: unknown[] }).Records ?? [];
    this.records.push(...records);
    if (this.records.length >= NOTICE_RECORDS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), NOTICE_DELAY_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.records.length === 0) return;
    const Records = this.records;
    this.records = [];
    this.send(Buffer.from(JSON.stringify({ Records })));
  }
}
