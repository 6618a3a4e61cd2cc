import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { keepS3Promises } from "./s3rver-store.ts";

export interface EmbeddedS3Options {
  /** Where objects are stored, as plain files. Uploads in progress go to a sibling folder, `<directory>.uploads`. */
  directory: string;
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1: the embedded server checks no signatures, so it must not face a network. */
  host?: string;
  /** Given each S3 event notification (AWS's JSON) the server makes: an object created or removed. */
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
 * create-only PUTs (`If-None-Match: *`) and atomic replacement.
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
  keepS3Promises(server, { root: options.directory, uploads });
  const { notify } = options;
  if (notify) server.on("event", (notification) => notify(Buffer.from(JSON.stringify(notification))));
  const { port } = await server.run();
  const httpServer = server.httpServer;
  if (httpServer === undefined) throw new Error("s3rver started without an HTTP server");
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        httpServer.close((error) => (error ? reject(error) : resolve()));
        // Clients' keep-alive sockets would otherwise hold close() open.
        httpServer.closeAllConnections();
      }).then(() => rm(uploads, { recursive: true, force: true }));
      return closing;
    },
  };
}
