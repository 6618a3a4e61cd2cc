import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CopyObjectCommand, DeleteBucketCorsCommand, HeadObjectCommand, ListObjectsCommand, PutBucketCorsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEmbeddedS3, type EmbeddedS3 } from "./embedded-s3.ts";
import type { ObjectStore } from "./object-store.ts";
import { createS3ObjectStore } from "./s3-object-store.ts";
import { parseStoreEvents, type StoreEvent } from "./upload-ledger.ts";

// The conformance suite for ObjectStore, over real HTTP against an embedded
// s3rver. s3rver does not verify signatures, so what a presigned URL allows is
// asserted from what it signs, not from what the server refuses.

const region = "us-east-1";
const pageSize = 7;

// fetch keeps idle sockets in an unref'd pool the handle check cannot see,
// while their server ends stay open; "connection: close" keeps that check
// about the store alone.
const noKeepAlive = { connection: "close" };

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name.startsWith("TCP")).length;
}

describe("S3 object store against embedded s3rver", () => {
  let directory: string;
  let server: EmbeddedS3;
  let store: ObjectStore;
  let baselineTcpHandles: number;
  const notices: StoreEvent[] = [];
  const bucket = `atelier-test-${randomUUID().slice(0, 8)}`;

  function openStore(overrides: { bucket?: string } = {}): ObjectStore {
    return createS3ObjectStore({
      endpoint: server.endpoint,
      region,
      bucket: overrides.bucket ?? bucket,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
      forcePathStyle: true,
      listPageSize: pageSize,
    });
  }

  beforeAll(async () => {
    baselineTcpHandles = tcpHandles();
    directory = await mkdtemp(join(tmpdir(), "atelier-s3-"));
    server = await startEmbeddedS3({ directory, port: 0, notify: (payload) => notices.push(...parseStoreEvents(payload)) });
    store = openStore();
    await store.ensureBucket();
  });

  afterAll(async () => {
    await store?.close();
    await server?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("the embedded server notifies each upload (its size and MD5) and removal, in S3's event format", async () => {
    const key = `notices/${randomUUID()}.png`;
    const body = randomBytes(300);
    const url = await store.presignPut(key, { contentType: "image/png", expiresInMs: 60_000 });
    expect((await fetch(url, { method: "PUT", body, headers: { "content-type": "image/png", "if-none-match": "*", ...noKeepAlive } })).status).toBe(200);
    await store.delete(key);
    await vi.waitFor(() => expect(notices.filter((notice) => notice.key === key)).toEqual([
      { kind: "created", bucket, key, bytes: 300, etag: createHash("md5").update(body).digest("hex") },
      { kind: "removed", bucket, key },
    ]));
  });

  it("ensureBucket is idempotent, also when two stores race to create", async () => {
    const kept = `tenant-e/${randomUUID()}.png`;
    await store.put(kept, new Uint8Array([1, 2, 3]), "image/png");
    await store.ensureBucket();
    // Ensuring an existing bucket leaves what is in it.
    expect(await store.head(kept)).toMatchObject({ bytes: 3 });

    const fresh = `atelier-test-${randomUUID().slice(0, 8)}`;
    const [a, b] = [openStore({ bucket: fresh }), openStore({ bucket: fresh })];
    await Promise.all([a.ensureBucket(), b.ensureBucket()]);
    // The bucket exists once, empty, and takes objects; ensuring it again changes nothing.
    const listed = [];
    for await (const object of a.list("")) listed.push(object);
    expect(listed).toEqual([]);
    await a.put("k.png", new Uint8Array(5), "image/png");
    await b.ensureBucket();
    expect(await b.head("k.png")).toMatchObject({ bytes: 5 });
    await Promise.all([a.close(), b.close()]);
  });

  it("creates only with If-None-Match: *: a taken key answers 412 and keeps its object", async () => {
    const key = `tenant-c/${randomUUID()}.png`;
    const [first, second] = [randomBytes(64 * 1024), randomBytes(64 * 1024)];
    const createOnly = { ...noKeepAlive, "content-type": "image/png", "if-none-match": "*" };
    const putUrl = (body: Buffer) => store.presignPut(key, { contentType: "image/png", expiresInMs: 60_000, contentLength: body.length });

    const created = await fetch(await putUrl(first), { method: "PUT", body: first, headers: createOnly });
    expect(created.status, await created.text()).toBe(200);
    const refused = await fetch(await putUrl(second), { method: "PUT", body: second, headers: createOnly });
    expect(refused.status).toBe(412);
    expect(await refused.text()).toContain("PreconditionFailed");
    expect(Buffer.from(await store.get(key)).equals(first)).toBe(true);
    expect(await store.head(key)).toMatchObject({ etag: createHash("md5").update(first).digest("hex") });
  });

  it("of racing creates of one key, exactly one wins and its bytes are the object's", async () => {
    const key = `tenant-c/${randomUUID()}.png`;
    const bodies = Array.from({ length: 8 }, () => randomBytes(256 * 1024));
    const statuses = await Promise.all(bodies.map(async (body) => {
      const url = await store.presignPut(key, { contentType: "image/png", expiresInMs: 60_000, contentLength: body.length });
      const response = await fetch(url, { method: "PUT", body, headers: { ...noKeepAlive, "content-type": "image/png", "if-none-match": "*" } });
      await response.arrayBuffer();
      return response.status;
    }));
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(bodies.length - 1);
    const winner = bodies[statuses.indexOf(200)]!;
    expect(Buffer.from(await store.get(key)).equals(winner)).toBe(true);
  });

  it("puts again into a directory s3rver removed with its last object, and leaves no upload file behind, created or refused", async () => {
    const key = `tenant-d/${randomUUID()}/deep/a.png`;
    const createOnly = { ...noKeepAlive, "content-type": "image/png", "if-none-match": "*" };
    const create = async (body: Buffer) => {
      const url = await store.presignPut(key, { contentType: "image/png", expiresInMs: 60_000, contentLength: body.length });
      const response = await fetch(url, { method: "PUT", body, headers: createOnly });
      await response.arrayBuffer();
      return response.status;
    };
    await store.put(key, Buffer.from("first"), "image/png");
    await store.delete(key);
    expect(existsSync(join(directory, bucket, "tenant-d"))).toBe(false);
    expect(await create(Buffer.from("second"))).toBe(200);
    expect(await create(Buffer.from("third"))).toBe(412);
    await store.delete(key);
    await store.put(key, Buffer.from("fourth"), "image/png");
    expect(Buffer.from(await store.get(key)).toString()).toBe("fourth");
    expect(await store.head(key)).toMatchObject({ bytes: 6, etag: createHash("md5").update("fourth").digest("hex") });
    expect(await readdir(`${directory}.uploads`)).toEqual([]);
  });

  it("copies an object with its metadata kept or replaced, its ETag the bytes' MD5, and shows no field of the store's own", async () => {
    const raw = new S3Client({
      endpoint: server.endpoint, region, forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    try {
      const body = randomBytes(3000);
      const md5 = createHash("md5").update(body).digest("hex");
      await raw.send(new PutObjectCommand({ Bucket: bucket, Key: "tenant-k/source.png", Body: body, ContentType: "image/png", Metadata: { origin: "test" } }));
      await raw.send(new CopyObjectCommand({ Bucket: bucket, Key: "tenant-k/kept.png", CopySource: `${bucket}/tenant-k/source.png` }));
      await raw.send(new CopyObjectCommand({
        Bucket: bucket, Key: "tenant-k/replaced.png", CopySource: `${bucket}/tenant-k/source.png`,
        MetadataDirective: "REPLACE", ContentType: "image/webp", Metadata: { origin: "copy" },
      }));
      for (const [key, contentType, origin] of [["source", "image/png", "test"], ["kept", "image/png", "test"], ["replaced", "image/webp", "copy"]] as const) {
        const head = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: `tenant-k/${key}.png` }));
        expect(head, key).toMatchObject({ ETag: `"${md5}"`, ContentLength: body.length, ContentType: contentType, Metadata: { origin } });
        expect(Object.keys(head.Metadata ?? {})).toEqual(["origin"]);
        expect(Buffer.from(await store.get(`tenant-k/${key}.png`)).equals(body)).toBe(true);
      }
    } finally {
      raw.destroy();
    }
  });

  it("applies a bucket's CORS configuration at once when it is set or removed, though the store keeps it between requests", async () => {
    const raw = new S3Client({
      endpoint: server.endpoint, region, forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    const origin = "https://studio.example";
    const preflight = async () => {
      const response = await fetch(`${server.endpoint}/${bucket}/tenant-c/a.png`, {
        method: "OPTIONS",
        headers: { ...noKeepAlive, origin, "access-control-request-method": "GET" },
      });
      await response.arrayBuffer();
      return { status: response.status, methods: response.headers.get("access-control-allow-methods") };
    };
    try {
      // Twice: the second is answered from what the store kept.
      expect(await preflight()).toEqual({ status: 403, methods: null });
      expect(await preflight()).toEqual({ status: 403, methods: null });
      await raw.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: [origin], AllowedMethods: ["GET"] }] } }));
      expect(await preflight()).toEqual({ status: 200, methods: "GET" });
      await raw.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
      expect(await preflight()).toEqual({ status: 403, methods: null });
    } finally {
      raw.destroy();
    }
  });

  it("serves objects an earlier version of the store wrote, with the MD5 in a file of its own", async () => {
    const body = randomBytes(500);
    const md5 = createHash("md5").update(body).digest("hex");
    const base = join(directory, bucket, "tenant-o", "old.png._S3rver_");
    await mkdir(dirname(base), { recursive: true });
    await writeFile(`${base}object`, body);
    await writeFile(`${base}object.md5`, md5);
    await writeFile(`${base}metadata.json`, JSON.stringify({ "content-type": "image/png" }));
    expect(await store.head("tenant-o/old.png")).toMatchObject({ bytes: 500, etag: md5 });
    expect(Buffer.from(await store.get("tenant-o/old.png")).equals(body)).toBe(true);
  });

  it("replaces an object atomically: a reader during overwrites gets one whole version, its ETag matching", async () => {
    const key = `tenant-r/${randomUUID()}.png`;
    const versions = [randomBytes(1024 * 1024), randomBytes(512 * 1024)];
    const md5s = versions.map((body) => createHash("md5").update(body).digest("hex"));
    await store.put(key, versions[0]!, "image/png");
    const writes = (async () => {
      for (let i = 1; i <= 20; i++) await store.put(key, versions[i % 2]!, "image/png");
    })();
    const reads = (async () => {
      const seen = new Set<number>();
      for (let i = 0; i < 40; i++) {
        const [got, head] = await Promise.all([store.get(key), store.head(key)]);
        const index = versions.findIndex((body) => Buffer.from(got).equals(body));
        expect(index, `read ${i}: ${got.byteLength} bytes, neither version`).toBeGreaterThanOrEqual(0);
        expect(md5s).toContain(head!.etag);
        expect(head!.bytes).toBe(versions[md5s.indexOf(head!.etag!)]!.length);
        seen.add(index);
      }
      return seen;
    })();
    await writes;
    expect((await reads).size).toBeGreaterThan(0);
    // Nothing of the uploads is left behind, and no partial file is listed.
    const listed = [];
    for await (const object of store.list("tenant-r/")) listed.push(object);
    expect(listed).toEqual([{ key, bytes: versions[0]!.length }]);
  });

  it("accepts a presigned PUT and serves the object by head, get and presigned GET", async () => {
    const key = `tenant-a/batch-1/${randomUUID()}.png`;
    const body = randomBytes(300 * 1024);
    const url = await store.presignPut(key, { contentType: "image/png", expiresInMs: 15 * 60_000, contentLength: body.length });

    const put = await fetch(url, { method: "PUT", body, headers: { ...noKeepAlive, "content-type": "image/png" } });
    expect(put.status, await put.text()).toBe(200);

    // The ETag of a single-part upload is the MD5 of its bytes: what upload checks compare.
    expect(await store.head(key)).toEqual({ bytes: body.length, contentType: "image/png", etag: createHash("md5").update(body).digest("hex") });
    expect(Buffer.from(await store.get(key)).equals(body)).toBe(true);

    const download = await fetch(await store.presignGet(key, { expiresInMs: 60_000 }), { headers: noKeepAlive });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(body)).toBe(true);
  });

  it("signs the key, content type, content length and expiry into a presigned PUT", async () => {
    const key = "tenant-a/batch-1/00000003-42.png";
    const url = new URL(await store.presignPut(key, { contentType: "image/png", expiresInMs: 15 * 60_000, contentLength: 1234 }));

    expect(url.pathname).toBe(`/${bucket}/${key}`);
    expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(url.searchParams.get("X-Amz-Credential")).toContain(`/${region}/s3/aws4_request`);
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).toEqual(
      expect.arrayContaining(["content-length", "content-type", "host"]),
    );
    // A checksum signed into the URL would be the empty body's and break
    // every upload on real S3 (the SDK's default since 3.729).
    const params = [...url.searchParams.keys()].map((name) => name.toLowerCase());
    expect(params.filter((name) => name.includes("checksum"))).toEqual([]);
  });

  it("leaves content length unsigned only when none is given", async () => {
    const url = new URL(await store.presignPut("k.png", { contentType: "image/png", expiresInMs: 60_000 }));
    const signed = url.searchParams.get("X-Amz-SignedHeaders")?.split(";");
    expect(signed).toContain("content-type");
    expect(signed).not.toContain("content-length");
  });

  it("refuses expiries S3 cannot honour", async () => {
    await expect(store.presignPut("k.png", { contentType: "image/png", expiresInMs: 500 })).rejects.toThrow(/expiresInMs/);
    await expect(store.presignGet("k.png", { expiresInMs: 8 * 24 * 3_600_000 })).rejects.toThrow(/7 days/);
  });

  it("reports a missing key as null from head and as an error from get", async () => {
    expect(await store.head("tenant-a/nothing-here.png")).toBeNull();
    await expect(store.get("tenant-a/nothing-here.png")).rejects.toThrow(/no object at/);
  });

  it("lists every object under a prefix across pages, and deletes by prefix", async () => {
    const keys = Array.from({ length: 25 }, (_, index) => `tenant-l/batch/${String(index).padStart(8, "0")}-1.png`);
    await Promise.all(keys.map((key, index) => store.put(key, new Uint8Array(index + 1), "image/png")));
    await store.put("tenant-l/batch-other/00000000-1.png", new Uint8Array(3), "image/png");

    // Proves the page size forces several pages, so the listing below must
    // have followed continuation tokens to see all 25.
    const raw = new S3Client({
      endpoint: server.endpoint,
      region,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    const firstPage = await raw.send(new ListObjectsCommand({ Bucket: bucket, Prefix: "tenant-l/batch/", MaxKeys: pageSize }));
    raw.destroy();
    expect(firstPage.IsTruncated).toBe(true);
    expect(firstPage.Contents).toHaveLength(pageSize);

    const listed = [];
    for await (const object of store.list("tenant-l/batch/")) listed.push(object);
    expect(listed).toEqual(keys.map((key, index) => ({ key, bytes: index + 1 })));

    expect(await store.deletePrefix("tenant-l/batch/")).toBe(25);
    const left = [];
    for await (const object of store.list("tenant-l/")) left.push(object.key);
    expect(left).toEqual(["tenant-l/batch-other/00000000-1.png"]);
    expect(await store.deletePrefix("tenant-l/batch/")).toBe(0);
  });

  it("refuses to delete the whole bucket", async () => {
    await expect(store.deletePrefix("")).rejects.toThrow(/empty prefix/);
  });

  it("closes idempotently and leaves no open handles", async () => {
    await store.close();
    await store.close();
    // Only the listening socket may remain: the store's keep-alive sockets
    // (and the server's ends of them) must be gone.
    await expect.poll(tcpHandles).toBe(baselineTcpHandles + 1);
    await server.close();
    await server.close();
    await expect.poll(tcpHandles).toBe(baselineTcpHandles);
  });
});
