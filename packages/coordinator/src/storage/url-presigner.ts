import { createHash, createHmac, type BinaryLike, type Hash, type Hmac } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { SignatureV4 } from "@smithy/signature-v4";

export type PresignRequest = (
  /**
   * Signs the content type, the length when given, and `If-None-Match: *`
   * (the PUT creates, never overwrites): an unsigned header would let the
   * URL's holder upload anything, anywhere it likes.
   */
  | { method: "PUT"; contentType: string; contentLength?: number }
  | { method: "HEAD" }
  | { method: "GET" }
) & {
  key: string;
  expiresInSeconds: number;
  /** For tests that compare URLs; the current time otherwise. */
  signingDate?: Date;
};

export type UrlPresigner = (request: PresignRequest) => Promise<string>;

/** The parts of a bucket's presigned PUT URL that do not depend on the key. */
interface UrlTemplate {
  protocol: string;
  hostname: string;
  port: number | undefined;
  /** Everything before the key: "/bucket/" path-style, "/" virtual-hosted. */
  pathPrefix: string;
  /** Unsigned query parameters the SDK adds (x-id). */
  query: Record<string, string>;
  region: string;
}

// A key of plain characters, so that it stands for itself in the template's path.
const TEMPLATE_KEY = "atelier-presign-template";

/**
 * Presigned PUT and HEAD URLs at the cost of one SigV4 signature (about 45 us
 * here). The SDK runs the client's whole middleware stack (endpoint rules,
 * serialisation, retries) for every URL or request, about 1 ms of CPU for a
 * URL and a third of one for a HEAD, which made signing and verifying the
 * dispatcher's largest costs per item. A bucket's endpoint does not depend on
 * the key, so getSignedUrl resolves it once for a template key; every URL
 * after that is the same request with its own key and method, signed by the
 * SDK's own SigV4 signer. url-presigner.test.ts checks the URLs equal
 * getSignedUrl's.
 */
export function createUrlPresigner(
  client: S3Client,
  bucket: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): UrlPresigner {
  // By method: the SDK adds its own unsigned query parameters to each operation.
  const templates = new Map<PresignRequest["method"], Promise<{ url: UrlTemplate; signer: SignatureV4 }>>();
  return async (request) => {
    let template = templates.get(request.method);
    if (!template) {
      template = resolveTemplate(client, bucket, request.method).then((url) => ({
        url,
        signer: new SignatureV4({ service: "s3", region: url.region, credentials, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false }),
      }));
      templates.set(request.method, template);
    }
    const { url, signer } = await template.catch((error: unknown) => {
      templates.delete(request.method); // resolve again next time: the failure may have been passing
      throw error;
    });
    const host = url.port === undefined ? url.hostname : `${url.hostname}:${url.port}`;
    const headers: Record<string, string> = { host, "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD" };
    const signableHeaders = new Set<string>();
    if (request.method === "PUT") {
      headers["content-type"] = request.contentType;
      headers["if-none-match"] = "*";
      signableHeaders.add("content-type");
      signableHeaders.add("if-none-match");
      if (request.contentLength !== undefined) {
        headers["content-length"] = String(request.contentLength);
        signableHeaders.add("content-length");
      }
    }
    const signed = await signer.presign(
      {
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port === undefined ? {} : { port: url.port }),
        path: url.pathPrefix + request.key.split("/").map(escapeSegment).join("/"),
        query: { ...url.query },
        headers,
      },
      { expiresIn: request.expiresInSeconds, signableHeaders, ...(request.signingDate ? { signingDate: request.signingDate } : {}) },
    );
    return `${url.protocol}//${host}${signed.path}?${queryString(signed.query as Record<string, string>)}`;
  };
}

async function resolveTemplate(client: S3Client, bucket: string, method: PresignRequest["method"]): Promise<UrlTemplate> {
  const command = method === "PUT"
    ? new PutObjectCommand({ Bucket: bucket, Key: TEMPLATE_KEY, ContentType: "application/octet-stream" })
    : method === "GET"
      ? new GetObjectCommand({ Bucket: bucket, Key: TEMPLATE_KEY })
      : new HeadObjectCommand({ Bucket: bucket, Key: TEMPLATE_KEY });
  const url = new URL(await getSignedUrl(client, command, { expiresIn: 60 }));
  if (!url.pathname.endsWith(`/${TEMPLATE_KEY}`)) throw new Error(`unexpected presigned URL shape for bucket ${bucket}: ${url.pathname}`);
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) if (!name.startsWith("X-Amz-")) query[name] = value;
  const region = url.searchParams.get("X-Amz-Credential")?.split("/")[2];
  if (!region) throw new Error(`presigned URL for bucket ${bucket} names no region`);
  return {
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port === "" ? undefined : Number(url.port),
    pathPrefix: url.pathname.slice(0, -TEMPLATE_KEY.length),
    query,
    region,
  };
}

// The SDK's escaping of a key's path segments and of query values (RFC 3986).
function escapeSegment(segment: string): string {
  return /^[\w.~-]+$/.test(segment) ? segment : escapeUri(segment);
}

function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function queryString(query: Record<string, string>): string {
  return Object.keys(query).sort().map((name) => `${escapeUri(name)}=${escapeUri(query[name]!)}`).join("&");
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

/** SHA-256 and HMAC-SHA-256 from node:crypto in the shape the SigV4 signer takes. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }

  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    throw new Error("NodeSha256 is single use");
  }
}

function bytes(data: SourceData): BinaryLike {
  return data instanceof ArrayBuffer ? new Uint8Array(data) : (data as BinaryLike);
}
