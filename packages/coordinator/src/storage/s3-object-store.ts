import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { ObjectListing, ObjectStore, PresignPutOptions } from "./object-store.ts";
import { createHeadRequester } from "./head-request.ts";
import { createUrlPresigner } from "./url-presigner.ts";

export interface S3ObjectStoreOptions {
  /** Omit for AWS; set for MinIO or the embedded s3rver. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** True for MinIO and s3rver, which do not serve virtual-host buckets. */
  forcePathStyle: boolean;
  /** Keys per LIST request; S3 caps it at 1000. Smaller only in tests. */
  listPageSize?: number;
  /** Per attempt: a stalled request is abandoned and retried after this. */
  requestTimeoutMs?: number;
}

// SigV4 presigned URLs cannot live longer than seven days.
const MAX_PRESIGN_MS = 7 * 24 * 60 * 60 * 1000;
// A DeleteObjects request takes at most 1000 keys.
const MAX_KEYS_PER_REQUEST = 1000;

export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  const { bucket } = options;
  const listPageSize = options.listPageSize ?? MAX_KEYS_PER_REQUEST;
  if (!Number.isInteger(listPageSize) || listPageSize < 1 || listPageSize > MAX_KEYS_PER_REQUEST) {
    throw new RangeError(`listPageSize must be an integer in 1..${MAX_KEYS_PER_REQUEST}, got ${listPageSize}`);
  }
  const client = new S3Client({
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    retryMode: "standard",
    maxAttempts: 5,
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 60_000, connectionTimeout: 5_000 },
    // Since 3.729 the SDK adds CRC32 checksums by default, and a presigned
    // PUT then carries x-amz-checksum-crc32 of an EMPTY body, so every real
    // upload fails on S3. Checksums we need are verified after upload.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  // One PUT URL and one HEAD per item on the dispatch path: signed and sent without the SDK's middleware stack.
  const presign = createUrlPresigner(client, bucket, { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey });
  const heads = createHeadRequester({ requestTimeoutMs: options.requestTimeoutMs ?? 60_000, attempts: 5 });
  let closed = false;

  // ListObjects (v1) with Marker, not V2: s3rver encrypts V2 continuation
  // tokens with DES, which OpenSSL 3 (Node >= 17) refuses, so every truncated
  // V2 listing fails there. V1 paging by the last key behaves the same on S3
  // and MinIO, and the marker is a position in key order, not a snapshot.
  async function* list(prefix: string): AsyncIterable<ObjectListing> {
    let marker: string | undefined;
    for (;;) {
      const page = await client.send(
        new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, MaxKeys: listPageSize, Marker: marker }),
      );
      const contents = page.Contents ?? [];
      for (const object of contents) {
        if (object.Key !== undefined) yield { key: object.Key, bytes: object.Size ?? 0 };
      }
      // Without a delimiter S3 omits NextMarker: the last key is the marker.
      marker = page.NextMarker ?? contents.at(-1)?.Key;
      if (page.IsTruncated !== true || marker === undefined) return;
    }
  }

  async function deleteKeys(keys: string[]): Promise<void> {
    const result = await client.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    const failed = result.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0];
      throw new Error(
        `failed to delete ${failed.length} of ${keys.length} objects in bucket ${bucket}; first: ${first?.Key}: ${first?.Code} ${first?.Message}`,
      );
    }
  }

  async function bucketExists(): Promise<boolean> {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  return {
    bucket,

    async presignPut(key: string, put: PresignPutOptions): Promise<string> {
      if (put.contentLength !== undefined && (!Number.isSafeInteger(put.contentLength) || put.contentLength < 0)) {
        throw new RangeError(`contentLength must be a non-negative integer, got ${put.contentLength}`);
      }
      // Signs the content type (and the length when given): an unsigned
      // header would let the holder of the URL upload anything.
      return presign({ method: "PUT", key, contentType: put.contentType, contentLength: put.contentLength, expiresInSeconds: expiresInSeconds(put.expiresInMs) });
    },

    async presignGet(key: string, get: { expiresInMs: number }): Promise<string> {
      const command = new GetObjectCommand({ Bucket: bucket, Key: key });
      return getSignedUrl(client, command, { expiresIn: expiresInSeconds(get.expiresInMs) });
    },

    head(key: string, options: { firstBytes?: number } = {}) {
      const { firstBytes } = options;
      if (firstBytes === undefined) return heads.head(() => presign({ method: "HEAD", key, expiresInSeconds: 60 }), `s3://${bucket}/${key}`);
      return heads.head(() => presign({ method: "GET", key, expiresInSeconds: 60 }), `s3://${bucket}/${key}`, firstBytes);
    },

    async delete(key: string): Promise<void> {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },

    async get(key: string): Promise<Uint8Array> {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (object.Body === undefined) throw new Error(`s3://${bucket}/${key} returned no body`);
        return await object.Body.transformToByteArray();
      } catch (error) {
        if (error instanceof S3ServiceException && error.name === "NoSuchKey") {
          throw new Error(`no object at s3://${bucket}/${key}`, { cause: error });
        }
        throw error;
      }
    },

    async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.byteLength }),
      );
    },

    list,

    async deletePrefix(prefix: string): Promise<number> {
      if (prefix === "") {
        throw new RangeError(`deletePrefix refuses an empty prefix: it would empty bucket ${bucket}`);
      }
      let deleted = 0;
      let batch: string[] = [];
      // Deleting while listing is safe: paging resumes after the last key
      // seen, so deleting what came before it skips nothing.
      for await (const object of list(prefix)) {
        batch.push(object.key);
        if (batch.length === MAX_KEYS_PER_REQUEST) {
          await deleteKeys(batch);
          deleted += batch.length;
          batch = [];
        }
      }
      if (batch.length > 0) {
        await deleteKeys(batch);
        deleted += batch.length;
      }
      return deleted;
    },

    async ensureBucket(): Promise<void> {
      if (await bucketExists()) return;
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
      } catch (error) {
        // Lost a race with another coordinator, or (s3rver, some MinIO
        // versions) "already exists" reported for our own bucket: fine as
        // long as we can reach it now.
        const name = error instanceof S3ServiceException ? error.name : "";
        if (name === "BucketAlreadyOwnedByYou") return;
        if (name === "BucketAlreadyExists" && (await bucketExists())) return;
        throw error;
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      // Destroys the keep-alive sockets, which would otherwise hold the
      // process (and the embedded server's close) open.
      client.destroy();
      heads.close();
    },
  };
}

function expiresInSeconds(expiresInMs: number): number {
  if (!Number.isFinite(expiresInMs) || expiresInMs < 1000 || expiresInMs > MAX_PRESIGN_MS) {
    throw new RangeError(`expiresInMs must be between 1000 and ${MAX_PRESIGN_MS} (7 days), got ${expiresInMs}`);
  }
  return Math.floor(expiresInMs / 1000);
}

// HEAD responses carry no error body, so the status is all there is.
function isNotFound(error: unknown): boolean {
  return error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404;
}
