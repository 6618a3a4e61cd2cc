import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { isIP } from "node:net";

/** What directPuts needs of the embedded server. */
export interface DirectPutOptions {
  /** Stores an object as s3rver's PUT does; `createOnly` for `If-None-Match: *`. */
  putObject(object: unknown, createOnly: boolean): Promise<{ size: number; md5: string }>;
  bucketExists(bucket: string): Promise<boolean>;
  /** Whether anyone listens for the server's S3 events: building one is a cost of its own. */
  wantsEvents(): boolean;
  emitEvent(event: unknown): void;
}

/** The PUT this path serves, read from a request's line and headers. */
export interface PlainPut {
  bucket: string;
  key: string;
  createOnly: boolean;
}

// s3rver ships no types; these are the slices of it used here.
type S3ObjectConstructor = new (bucket: string, key: string, content: unknown, metadata: Record<string, unknown>) => unknown;
type S3EventConstructor = new (data: { bucket: string; eventType: "Put"; S3Item: unknown }, request: { reqHeaders: unknown; sourceIp: string | undefined }) => unknown;
interface S3ErrorInstance extends Error {
  status: number;
  toXML(): string;
}
interface S3ErrorClass {
  new (code: string, message: string): S3ErrorInstance;
  fromError(error: unknown): S3ErrorInstance;
}
interface S3rverUtils {
  parseISO8601String(text: string): Date;
}

const require = createRequire(import.meta.url);
const S3Object = require("s3rver/lib/models/object") as S3ObjectConstructor;
const S3Event = require("s3rver/lib/models/event") as S3EventConstructor;
const S3Error = require("s3rver/lib/models/error") as S3ErrorClass;
const { parseISO8601String } = require("s3rver/lib/utils") as S3rverUtils;
const accessKeys = (require("s3rver/lib/models/account") as { registry: Map<string, unknown> }).registry;

// The parameters of a presigned URL as AWS's SDK writes it (x-id names the operation). Any other
// parameter names another operation or adds headers (s3rver copies x-amz-* parameters into them).
const PRESIGNED = new Set(["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Content-Sha256", "x-id"]);
const HEADER_SIGNED_PARAMETERS = new Set(["x-id"]);
// Headers for which s3rver does more than store: copies, redirects, storage classes it checks, CORS,
// and bodies in aws-chunked framing.
const HANDED_ON = ["x-amz-copy-source", "x-amz-website-redirect-location", "x-amz-storage-class", "origin", "x-amz-decoded-content-length"];
const MAX_EXPIRES_S = 604_800;
const MAX_SKEW_MS = 900_000;

/**
 * The PUT a request asks for, when its line and headers show that s3rver
 * would store it; undefined when s3rver must decide. `now` in ms.
 */
export function plainPut(request: Pick<IncomingMessage, "method" | "url" | "headers">, now: number): PlainPut | undefined {
  if (request.method !== "PUT" || request.url === undefined) return undefined;
  const { headers } = request;
  if (HANDED_ON.some((name) => name in headers) || /aws-chunked/i.test(String(headers["content-encoding"] ?? ""))) return undefined;
  // Path-style requests only: s3rver takes other host names for virtual-host buckets.
  const host = (headers.host ?? "").replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) === 0 && host !== "localhost") return undefined;
  const queryAt = request.url.indexOf("?");
  const path = queryAt < 0 ? request.url : request.url.slice(0, queryAt);
  const match = /^\/([^/]+)\/([^?#]+)$/.exec(path);
  if (!match || path.endsWith("/") || path.includes("//")) return undefined;
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(match[1]!);
    key = decodeURIComponent(match[2]!);
  } catch {
    return undefined;
  }
  const query = new URLSearchParams(queryAt < 0 ? "" : request.url.slice(queryAt + 1));
  const names = [...query.keys()];
  if (new Set(names).size !== names.length) return undefined;
  const signed = "authorization" in headers
    ? names.every((name) => HEADER_SIGNED_PARAMETERS.has(name)) && signedHeaderIsValid(headers, now)
    : names.every((name) => PRESIGNED.has(name)) && presignedIsValid(query, now);
  if (!signed) return undefined;
  return { bucket, key, createOnly: String(headers["if-none-match"] ?? "").trim() === "*" };
}

// s3rver's checks of a presigned URL (it verifies no signature): the algorithm, every parameter, a
// known access key, a readable date, an expiry of at most a week that has not passed.
function presignedIsValid(query: URLSearchParams, now: number): boolean {
  if (query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") return false;
  for (const name of ["X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"]) if (!query.has(name)) return false;
  if (!accessKeys.has(query.get("X-Amz-Credential")!.split("/")[0]!)) return false;
  const signedAt = parseISO8601String(query.get("X-Amz-Date")!).getTime();
  const expiresS = Number(query.get("X-Amz-Expires"));
  return Number.isFinite(signedAt) && Number.isInteger(expiresS) && expiresS >= 0 && expiresS <= MAX_EXPIRES_S && now <= signedAt + expiresS * 1000;
}

// s3rver's checks of a version 4 Authorization header: its three parts, the payload's hash given as a
// hash or UNSIGNED-PAYLOAD (not streamed), a known access key, an x-amz-date within 15 minutes.
function signedHeaderIsValid(headers: IncomingMessage["headers"], now: number): boolean {
  const authorization = String(headers.authorization);
  if (!authorization.startsWith("AWS4-HMAC-SHA256 ")) return false;
  const payloadHash = String(headers["x-amz-content-sha256"] ?? "");
  if (payloadHash !== "UNSIGNED-PAYLOAD" && !/^[0-9A-Fa-f]{64}$/.test(payloadHash)) return false;
  const parts = new Map(authorization.slice("AWS4-HMAC-SHA256 ".length).replace(/ /g, "").split(",").map((part) => {
    const [name, ...value] = part.split("=");
    return [name!, value.join("=")] as const;
  }));
  if (parts.size !== 3 || !parts.has("Credential") || !parts.has("SignedHeaders") || !parts.has("Signature")) return false;
  if (!accessKeys.has(parts.get("Credential")!.split("/")[0]!)) return false;
  if (typeof headers["x-amz-date"] !== "string") return false;
  const signedAt = parseISO8601String(headers["x-amz-date"]).getTime();
  return Number.isFinite(signedAt) && Math.abs(now - signedAt) <= MAX_SKEW_MS;
}

/**
 * The embedded server's path for the requests that carry a farm's images:
 * plain object PUTs, signed with AWS's version 4, to an existing bucket.
 * s3rver's Koa stack (a dozen middlewares, a router, an S3 event built for
 * every PUT) was about a third of such a PUT's CPU on the server's one thread
 * (test/bench/README.md, "Plain PUTs in front of s3rver's middleware"). This path makes
 * the same checks s3rver makes before a PUT, stores through the same store,
 * and answers as s3rver answers. A request it cannot vouch for from its
 * headers (another operation, a signature it does not take, an expired or
 * skewed one, an unknown key, CORS, a missing bucket) goes on to s3rver,
 * body unread, and gets s3rver's own answer.
 *
 * A request listener; `next` is s3rver's own.
 */
export function directPuts(options: DirectPutOptions, next: (request: IncomingMessage, response: ServerResponse) => void) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const put = plainPut(request, Date.now());
    if (!put) {
      next(request, response);
      return;
    }
    options.bucketExists(put.bucket).then(
      (exists) => (exists ? store(options, put, request, response) : next(request, response)),
      () => next(request, response),
    );
  };
}

async function store(options: DirectPutOptions, put: PlainPut, request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    const { size, md5 } = await options.putObject(new S3Object(put.bucket, put.key, request, request.headers), put.createOnly);
    if (options.wantsEvents()) {
      const item = new S3Object(put.bucket, put.key, null, { "content-length": size, etag: JSON.stringify(md5) });
      options.emitEvent(new S3Event({ bucket: put.bucket, eventType: "Put", S3Item: item }, { reqHeaders: request.headers, sourceIp: request.socket.remoteAddress }));
    }
    // As s3rver answers through Koa: an empty text body and the ETag.
    response.writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-length": 0, etag: `"${md5}"` }).end();
  } catch (error) {
    if (response.headersSent || response.destroyed) return;
    const s3Error = error instanceof S3Error ? error : S3Error.fromError(error);
    const body = s3Error.toXML();
    response.writeHead(s3Error.status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) }).end(body);
  }
}
