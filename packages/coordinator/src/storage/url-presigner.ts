import { createHash, createHmac } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

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
 * Presigned PUT, GET and HEAD URLs at the cost of one SigV4 signature: one
 * SHA-256 of the canonical request and one HMAC of the string to sign. The
 * SDK runs the client's whole middleware stack (endpoint rules,
 * serialisation, retries) for every URL or request, about 1 ms of CPU for a
 * URL and a third of one for a HEAD, which made signing and verifying the
 * dispatcher's largest costs per item. A bucket's endpoint does not depend on
 * the key, so getSignedUrl resolves it once for a template key; every URL
 * after that is the same request with its own key and method, signed here as
 * SigV4's query-string authentication prescribes (the SDK's signer took four
 * times as long per URL, with a signing key it re-derived and the request it
 * rebuilt each time). url-presigner.test.ts checks the URLs equal
 * getSignedUrl's.
 */
export function createUrlPresigner(
  client: S3Client,
  bucket: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): UrlPresigner {
  // By method: the SDK adds its own unsigned query parameters to each operation.
  const templates = new Map<PresignRequest["method"], Promise<UrlTemplate>>();
  const keys = new SigningKeys(credentials.secretAccessKey);
  // What every URL of one method, content type, expiry and signing second shares; only the key and the signature differ.
  const prepared = new Map<string, Prepared>();
  let clock = { second: NaN, longDate: "" };
  return async (request) => {
    let template = templates.get(request.method);
    if (!template) {
      template = resolveTemplate(client, bucket, request.method);
      templates.set(request.method, template);
    }
    const url = await template.catch((error: unknown) => {
      templates.delete(request.method); // resolve again next time: the failure may have been passing
      throw error;
    });
    if (!(request.expiresInSeconds > 0 && request.expiresInSeconds <= MAX_PRESIGNED_SECONDS)) {
      throw new Error(`expiresInSeconds must be between 1 and ${MAX_PRESIGNED_SECONDS} (a week); got ${request.expiresInSeconds}`);
    }
    const second = Math.floor((request.signingDate?.getTime() ?? Date.now()) / 1000);
    if (second !== clock.second) clock = { second, longDate: new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "") };
    const put = request.method === "PUT" ? request : undefined;
    const id = `${request.method}\n${put?.contentType}\n${put?.contentLength}\n${request.expiresInSeconds}\n${clock.longDate}`;
    let shared = prepared.get(id);
    if (!shared) {
      if (prepared.size >= 64) prepared.clear();
      shared = prepare(url, request, clock.longDate, credentials.accessKeyId, keys);
      prepared.set(id, shared);
    }
    const path = url.pathPrefix + request.key.split("/").map(escapeSegment).join("/");
    const canonicalRequest = `${request.method}\n${path}\n${shared.canonicalQuery}\n${shared.headersAndPayload}`;
    const stringToSign = shared.stringToSignPrefix + createHash("sha256").update(canonicalRequest).digest("hex");
    const signature = createHmac("sha256", shared.signingKey).update(stringToSign).digest("hex");
    return `${shared.origin}${path}?${shared.queryBeforeSignature}${signature}${shared.queryAfterSignature}`;
  };
}

/** The parts of a signed URL and of its canonical request that do not depend on the key. */
interface Prepared {
  origin: string;
  /** The query, sorted and escaped, without the signature. */
  canonicalQuery: string;
  /** The canonical request after the query: signed headers, their names, the payload hash. */
  headersAndPayload: string;
  stringToSignPrefix: string;
  signingKey: Buffer;
  /** The URL's query around X-Amz-Signature's value. */
  queryBeforeSignature: string;
  queryAfterSignature: string;
}

function prepare(url: UrlTemplate, request: PresignRequest, longDate: string, accessKeyId: string, keys: SigningKeys): Prepared {
  const host = url.port === undefined ? url.hostname : `${url.hostname}:${url.port}`;
  // Signed headers, by lower-case name: the PUT's pin what may be uploaded.
  const headers: [string, string][] = [["host", host]];
  if (request.method === "PUT") {
    if (request.contentLength !== undefined) headers.push(["content-length", String(request.contentLength)]);
    headers.push(["content-type", request.contentType.trim().replace(/\s+/g, " ")], ["if-none-match", "*"]);
  }
  headers.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const signedHeaders = headers.map(([name]) => name).join(";");
  const shortDate = longDate.slice(0, 8);
  const scope = `${shortDate}/${url.region}/s3/aws4_request`;
  const query: Record<string, string> = {
    ...url.query,
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD",
    "X-Amz-Credential": `${accessKeyId}/${scope}`,
    "X-Amz-Date": longDate,
    "X-Amz-Expires": String(request.expiresInSeconds),
    "X-Amz-SignedHeaders": signedHeaders,
  };
  // The URL lists the signature in its sorted place, where a placeholder stands for it here.
  const withSignature = queryString({ ...query, "X-Amz-Signature": "SIGNATURE" });
  const at = withSignature.indexOf("X-Amz-Signature=SIGNATURE") + "X-Amz-Signature=".length;
  return {
    origin: `${url.protocol}//${host}`,
    canonicalQuery: queryString(query),
    headersAndPayload: `${headers.map(([name, value]) => `${name}:${value}\n`).join("")}\n${signedHeaders}\nUNSIGNED-PAYLOAD`,
    stringToSignPrefix: `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n`,
    signingKey: keys.of(shortDate, url.region),
    queryBeforeSignature: withSignature.slice(0, at),
    queryAfterSignature: withSignature.slice(at + "SIGNATURE".length),
  };
}

// SigV4's limit on a presigned URL's life.
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

/** SigV4 signing keys, derived once per day and region (four HMACs each). */
class SigningKeys {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly secretAccessKey: string) {}

  of(shortDate: string, region: string): Buffer {
    const id = `${shortDate}/${region}`;
    let key = this.keys.get(id);
    if (!key) {
      key = Buffer.from(`AWS4${this.secretAccessKey}`);
      for (const part of [shortDate, region, "s3", "aws4_request"]) key = createHmac("sha256", key).update(part).digest();
      // A few days' keys at most: signing dates move forward.
      if (this.keys.size >= 8) this.keys.clear();
      this.keys.set(id, key);
    }
    return key;
  }
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
