import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directPuts, plainPut } from "./direct-put.ts";
import { startEmbeddedS3, type EmbeddedS3 } from "./embedded-s3.ts";
import { createS3ObjectStore } from "./s3-object-store.ts";

const region = "us-east-1";
const signer = (endpoint: string, bucket = "atelier-direct") =>
  createS3ObjectStore({ endpoint, region, bucket, accessKeyId: "S3RVER", secretAccessKey: "S3RVER", forcePathStyle: true });

function requestFor(url: string, headers: Record<string, string> = {}): Pick<IncomingMessage, "method" | "url" | "headers"> {
  const parsed = new URL(url);
  return { method: "PUT", url: parsed.pathname + parsed.search, headers: { host: parsed.host, ...headers } };
}

// An Authorization header of the form AWS's SDK sends (s3rver checks its form, not its signature).
function headerSigned(at: Date, payload = "UNSIGNED-PAYLOAD", accessKey = "S3RVER") {
  const amzDate = at.toISOString().replace(/[-:]|\.\d+/g, "");
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/${amzDate.slice(0, 8)}/${region}/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${"0".repeat(64)}`,
    "x-amz-date": amzDate,
    "x-amz-content-sha256": payload,
  };
}

describe("which PUTs the embedded server serves in front of s3rver", () => {
  const endpoint = "http://127.0.0.1:9000";

  it("serves a presigned PUT of the SDK's making, with its key decoded, create-only when asked", async () => {
    const url = await signer(endpoint).presignPut("tenant-a/batch/0001 a+b.png", { contentType: "image/png", expiresInMs: 60_000, contentLength: 5 });
    expect(plainPut(requestFor(url), Date.now())).toEqual({ bucket: "atelier-direct", key: "tenant-a/batch/0001 a+b.png", createOnly: false });
    expect(plainPut(requestFor(url, { "if-none-match": " * " }), Date.now())).toMatchObject({ createOnly: true });
    expect(plainPut(requestFor(url.replace("127.0.0.1", "localhost")), Date.now())).toMatchObject({ bucket: "atelier-direct" });
  });

  it("serves a PUT signed in its Authorization header, with the payload's hash or UNSIGNED-PAYLOAD", () => {
    const now = Date.now();
    const url = `${endpoint}/atelier-direct/tenant-a/x.png?x-id=PutObject`;
    expect(plainPut(requestFor(url, headerSigned(new Date(now))), now)).toMatchObject({ key: "tenant-a/x.png" });
    expect(plainPut(requestFor(url, headerSigned(new Date(now), "a".repeat(64))), now)).toMatchObject({ key: "tenant-a/x.png" });
  });

  it("leaves to s3rver what s3rver would refuse or do more with", async () => {
    const now = Date.now();
    const url = await signer(endpoint).presignPut("tenant-a/x.png", { contentType: "image/png", expiresInMs: 60_000 });
    const withParam = (name: string, value: string) => {
      const changed = new URL(url);
      changed.searchParams.set(name, value);
      return changed.toString();
    };
    const handedOn: [string, Pick<IncomingMessage, "method" | "url" | "headers">, number?][] = [
      ["expired", requestFor(url), now + 61_000],
      ["an expiry past a week", requestFor(withParam("X-Amz-Expires", "604801"))],
      ["an unknown access key", requestFor(withParam("X-Amz-Credential", "SOMEONE/20261130/us-east-1/s3/aws4_request"))],
      ["another algorithm", requestFor(withParam("X-Amz-Algorithm", "AWS4-HMAC-SHA1"))],
      ["an unreadable date", requestFor(withParam("X-Amz-Date", "yesterday"))],
      ["a part of a multipart upload", requestFor(withParam("uploadId", "1"))],
      ["tagging", requestFor(withParam("tagging", ""))],
      ["metadata added by a parameter", requestFor(withParam("X-Amz-Meta-Origin", "url"))],
      ["a parameter given twice", requestFor(`${url}&x-id=PutObject`)],
      ["a copy", requestFor(url, { "x-amz-copy-source": "/atelier-direct/other.png" })],
      ["a browser's request (CORS)", requestFor(url, { origin: "https://studio.example" })],
      ["a storage class", requestFor(url, { "x-amz-storage-class": "GLACIER" })],
      ["a website redirect", requestFor(url, { "x-amz-website-redirect-location": "/elsewhere" })],
      ["a virtual-host bucket", requestFor(url.replace("127.0.0.1:9000", "atelier-direct.s3.amazonaws.com"))],
      ["a key ending in a slash", requestFor(url.replace("x.png", "dir/"))],
      ["no key", requestFor(url.replace("/tenant-a/x.png", ""))],
      ["no signature at all", requestFor(`${endpoint}/atelier-direct/tenant-a/x.png`)],
      ["two signatures", requestFor(url, headerSigned(new Date(now)))],
      ["a skewed header signature", requestFor(`${endpoint}/atelier-direct/x.png`, headerSigned(new Date(now - 16 * 60_000)))],
      ["a streamed, chunk-signed body", requestFor(`${endpoint}/atelier-direct/x.png`, headerSigned(new Date(now), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"))],
      ["aws-chunked framing", requestFor(`${endpoint}/atelier-direct/x.png`, { ...headerSigned(new Date(now)), "content-encoding": "aws-chunked" })],
      ["an unknown key in the header", requestFor(`${endpoint}/atelier-direct/x.png`, headerSigned(new Date(now), "UNSIGNED-PAYLOAD", "SOMEONE"))],
      ["a GET", { ...requestFor(url), method: "GET" }],
    ];
    for (const [what, request, at] of handedOn) expect(plainPut(request, at ?? now), what).toBeUndefined();
  });
});

describe("the embedded server's direct PUTs", () => {
  let directory: string;
  let server: EmbeddedS3;
  const bucket = `atelier-direct-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "atelier-direct-"));
    server = await startEmbeddedS3({ directory });
    await signer(server.endpoint, bucket).ensureBucket();
  });
  afterAll(async () => {
    await server?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  // The same PUT with an Origin header goes through s3rver (no CORS configuration: it adds nothing).
  async function put(key: string, body: string, headers: Record<string, string>) {
    const url = await signer(server.endpoint, bucket).presignPut(key, { contentType: "image/png", expiresInMs: 60_000, contentLength: body.length });
    const response = await fetch(url, { method: "PUT", body, headers: { connection: "close", "content-type": "image/png", ...headers } });
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      length: response.headers.get("content-length"),
      etag: response.headers.get("etag"),
      body: await response.text(),
    };
  }

  it("answers as s3rver answers the same PUT: a store, a replacement, a create-only refusal", async () => {
    const md5 = (text: string) => `"${createHash("md5").update(text).digest("hex")}"`;
    for (const [path, headers] of [["direct", {}], ["s3rver", { origin: "https://studio.example" }]] as const) {
      const key = `tenant-a/${path}.png`;
      const stored = await put(key, "first", headers);
      expect(stored, path).toEqual({ status: 200, type: "text/plain; charset=utf-8", length: "0", etag: md5("first"), body: "" });
      expect(await put(key, "second", headers), path).toEqual({ ...stored, etag: md5("second") });
      const refused = await put(key, "third", { ...headers, "if-none-match": "*" });
      expect(refused, path).toMatchObject({ status: 412, type: "application/xml" });
      expect(refused.body, path).toContain("<Code>PreconditionFailed</Code>");
      expect(Buffer.from(await signer(server.endpoint, bucket).get(key)).toString(), path).toBe("second");
    }
    const direct = await put("tenant-a/direct.png", "third", { "if-none-match": "*" });
    const viaS3rver = await put("tenant-a/s3rver.png", "third", { origin: "https://studio.example", "if-none-match": "*" });
    expect(direct).toEqual(viaS3rver);
  });
});

describe("directPuts", () => {
  let server: Server;
  let endpoint: string;
  const stored: { object: { bucket: string; key: string; metadata: Record<string, string> }; createOnly: boolean; body: string }[] = [];
  const handedOn: { url: string; body: string }[] = [];
  const events: unknown[] = [];

  beforeAll(async () => {
    server = createServer(directPuts({
      async putObject(object, createOnly) {
        const { bucket, key, metadata, content } = object as { bucket: string; key: string; metadata: Record<string, string>; content: IncomingMessage };
        let body = "";
        for await (const chunk of content) body += chunk;
        stored.push({ object: { bucket, key, metadata }, createOnly, body });
        return { size: body.length, md5: createHash("md5").update(body).digest("hex") };
      },
      bucketExists: async (name) => name === "atelier-direct",
      wantsEvents: () => true,
      emitEvent: (event) => events.push(event),
    }, (request, response) => {
      // s3rver's place: it reads the whole body itself.
      let body = "";
      request.on("data", (chunk) => (body += chunk)).on("end", () => {
        handedOn.push({ url: request.url!, body });
        response.writeHead(299).end();
      });
    }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("stores a plain PUT with s3rver's metadata and event, and hands on the rest with their bodies unread", async () => {
    const url = await signer(endpoint).presignPut("tenant-a/x.png", { contentType: "image/png", expiresInMs: 60_000 });
    const response = await fetch(url, { method: "PUT", body: "pixels", headers: { "content-type": "image/png", "x-amz-meta-origin": "test", "if-none-match": "*" } });
    expect(response.status).toBe(200);
    expect(stored).toMatchObject([{ object: { bucket: "atelier-direct", key: "tenant-a/x.png", metadata: { "content-type": "image/png", "x-amz-meta-origin": "test" } }, createOnly: true, body: "pixels" }]);
    expect(events).toEqual([expect.objectContaining({ Records: [expect.objectContaining({ eventName: "ObjectCreated:Put", s3: expect.objectContaining({ object: expect.objectContaining({ key: "tenant-a/x.png", size: 6 }) }) })] })]);

    const elsewhere = await signer(endpoint, "no-such-bucket").presignPut("tenant-a/x.png", { contentType: "image/png", expiresInMs: 60_000 });
    expect((await fetch(elsewhere, { method: "PUT", body: "to a missing bucket" })).status).toBe(299);
    expect((await fetch(`${url}&tagging`, { method: "PUT", body: "tags" })).status).toBe(299);
    expect(handedOn.map((h) => h.body)).toEqual(["to a missing bucket", "tags"]);
    expect(stored).toHaveLength(1);
  });
});
