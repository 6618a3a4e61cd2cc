import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import { copyFile, link, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";

// s3rver ships no types; these are the slices of its internals used here.
interface StoredObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, string>;
}
interface FilesystemStoreInstance {
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  getMetadata(bucket: string, key: string): Promise<Record<string, string | number>>;
  getBucket(bucket: string): Promise<unknown>;
  putBucket(bucket: string): Promise<unknown>;
  deleteBucket(bucket: string): Promise<void>;
  getSubresource(bucket: string, key: string | undefined, type: string): Promise<unknown>;
  putSubresource(bucket: string, key: string | undefined, resource: { type: string }): Promise<void>;
  deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void>;
  reset(): void;
  getObject(bucket: string, key: string, options?: unknown): Promise<unknown>;
  deleteObject(bucket: string, key: string): Promise<void>;
  copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacementMetadata?: unknown): Promise<unknown>;
}
type FilesystemStoreConstructor = new (rootDirectory: string) => FilesystemStoreInstance;
type S3ErrorConstructor = new (code: string, message: string, detail?: Record<string, string>) => Error;
interface KoaContext {
  get(header: string): string;
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

// The object's MD5 in its metadata's file. A user metadata name, so that s3rver keeps it there; read back, it is taken out.
const MD5_FIELD = "x-amz-meta-atelier-store-md5";
const BRIEF_CACHE_MS = 1_000;

/** What one request asked of the store beyond what s3rver passes on to it. */
interface RequestConditions {
  createOnly: boolean;
}

/**
 * Makes an s3rver instance keep two promises of S3 that s3rver itself does
 * not: a PUT with `If-None-Match: *` only creates (412 when the key is
 * taken, decided together with the write, so that of two racing creates one
 * wins), and a PUT replaces an object atomically: a reader gets the old
 * object or the new one, never a mix or a truncated file. Uploads are written
 * beside the store, in `uploadsDirectory` (on the same filesystem, so the
 * final rename is atomic), and moved into place under a per-key lock that
 * readers of that key also take.
 */
export function keepS3Promises(server: { store: unknown; context: { store: unknown }; middleware: KoaMiddleware[] }, directories: { root: string; uploads: string }): KeptStore {
  const require = createRequire(import.meta.url);
  const FilesystemStore = require("s3rver/lib/stores/filesystem") as FilesystemStoreConstructor;
  const S3Error = require("s3rver/lib/models/error") as S3ErrorConstructor;
  const conditions = new AsyncLocalStorage<RequestConditions>();
  const locks = new KeyLocks();
  // Names for uploads in progress, unique to this process (the uploads directory is this server's own).
  let uploadCount = 0;
  const bucketAnswers = new BriefCache();

  class AtomicStore extends FilesystemStore {
    // Every file-system call is a trip to libuv's thread pool, the largest part
    // of a PUT's cost on the server's one thread: a PUT makes 7 of them (8 when
    // create-only), where it made 16 (17) with a check before each step, two
    // metadata files and a look at the bucket (test/bench/README.md, "The
    // embedded store's PUT").
    // Directories are made when a write finds them missing, and the existence
    // check of a create-only PUT is its link().
    override async putObject(object: StoredObject): Promise<{ size: number; md5: string }> {
      const upload = join(directories.uploads, `${process.pid}-${++uploadCount}`);
      let uploadLeft = true;
      try {
        const { size, md5 } = await inDirectory(upload, () => writeCounted(object.content, upload));
        await locks.run(`${object.bucket}/${object.key}`, async () => {
          const objectPath = this.getResourcePath(object.bucket, object.key, "object");
          if (conditions.getStore()?.createOnly) {
            // link() fails when the name is taken: the check and the create are one step. Readers of the
            // key wait on this lock until the metadata is there too.
            try {
              await inDirectory(objectPath, () => link(upload, objectPath));
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
              throw new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", { Condition: "If-None-Match" });
            }
            try {
              await this.putMetadata(object.bucket, object.key, object.metadata, md5);
            } catch (error) {
              await removeIfThere(objectPath);
              throw error;
            }
          } else {
            // Checksum and metadata first: an existing key's readers wait on this lock until all three agree again.
            await inDirectory(objectPath, () => this.putMetadata(object.bucket, object.key, object.metadata, md5));
            await rename(upload, objectPath);
            uploadLeft = false;
          }
        });
        return { size, md5 };
      } finally {
        if (uploadLeft) await removeIfThere(upload);
      }
    }

    // A reader holds the lock only while it reads the metadata and opens the file; a rename
    // after that leaves its open file as it was.
    override getObject(bucket: string, key: string, options?: unknown): Promise<unknown> {
      return locks.run(`${bucket}/${key}`, () => super.getObject(bucket, key, options));
    }

    override deleteObject(bucket: string, key: string): Promise<void> {
      return locks.run(`${bucket}/${key}`, () => super.deleteObject(bucket, key));
    }

    // s3rver copies the MD5's file, which objects written here do not have: the copy is made here.
    override copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacementMetadata?: Record<string, string>): Promise<unknown> {
      return locks.run(`${destBucket}/${destKey}`, async () => {
        const source = await this.getMetadata(srcBucket, srcKey);
        const md5 = JSON.parse(String(source.etag)) as string;
        const sourcePath = this.getResourcePath(srcBucket, srcKey, "object");
        const destPath = this.getResourcePath(destBucket, destKey, "object");
        if (sourcePath !== destPath) await inDirectory(destPath, () => copyFile(sourcePath, destPath));
        const metadata = replacementMetadata ?? Object.fromEntries(Object.entries(source).map(([name, value]) => [name, String(value)]));
        await this.putMetadata(destBucket, destKey, metadata, md5);
        return this.getMetadata(destBucket, destKey);
      });
    }

    // The MD5 is kept in the metadata's file, not a file of its own as s3rver keeps it: one file
    // written per PUT instead of two, one read per HEAD or GET instead of two.
    override putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void> {
      return super.putMetadata(bucket, key, md5 === undefined ? metadata : { ...metadata, [MD5_FIELD]: md5 });
    }

    override async getMetadata(bucket: string, key: string): Promise<Record<string, string | number>> {
      const [object, stored] = await Promise.all([
        stat(this.getResourcePath(bucket, key, "object")),
        readFile(this.getResourcePath(bucket, key, "metadata.json"), "utf8").then((text) => JSON.parse(text) as Record<string, string>, () => undefined),
      ]);
      const md5 = stored?.[MD5_FIELD];
      // Written before the MD5 moved into this file (a store directory from an earlier version): s3rver's own reading.
      if (stored === undefined || md5 === undefined) return super.getMetadata(bucket, key);
      const { [MD5_FIELD]: _, ...metadata } = stored;
      return { ...metadata, etag: JSON.stringify(md5), "last-modified": object.mtime.toUTCString(), "content-length": object.size };
    }

    // Every request asks whether its bucket exists and reads the bucket's CORS and website
    // configurations (files that are mostly absent: two failed opens per request). The answers are
    // kept for a second, and forgotten at once when a bucket or its configuration changes here
    // (test/bench/README.md, "The bucket's configurations kept").
    override getBucket(bucket: string): Promise<unknown> {
      // A missing bucket is asked about again each time: only requests that fail anyway pay for it.
      return bucketAnswers.get(`bucket ${bucket}`, () => super.getBucket(bucket), (found) => Boolean(found));
    }

    override getSubresource(bucket: string, key: string | undefined, type: string): Promise<unknown> {
      if (key !== undefined) return super.getSubresource(bucket, key, type);
      return bucketAnswers.get(`${type} ${bucket}`, () => super.getSubresource(bucket, key, type));
    }

    override putBucket(bucket: string): Promise<unknown> {
      return bucketAnswers.changing(() => super.putBucket(bucket));
    }

    override deleteBucket(bucket: string): Promise<void> {
      return bucketAnswers.changing(() => super.deleteBucket(bucket));
    }

    override putSubresource(bucket: string, key: string | undefined, resource: { type: string }): Promise<void> {
      return bucketAnswers.changing(() => super.putSubresource(bucket, key, resource));
    }

    override deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void> {
      return bucketAnswers.changing(() => super.deleteSubresource(bucket, key, type));
    }

    override reset(): void {
      bucketAnswers.forget();
      super.reset();
    }
  }

  const store = new AtomicStore(directories.root);
  server.store = server.context.store = store;
  // First in the chain, so that the store sees the conditions of the request it serves.
  server.middleware.unshift((ctx, next) => conditions.run({ createOnly: ctx.get("if-none-match").trim() === "*" }, next));
  return {
    putObject: (object, createOnly) => conditions.run({ createOnly }, () => store.putObject(object as StoredObject)),
    bucketExists: async (bucket) => Boolean(await store.getBucket(bucket)),
  };
}

/** The store, for requests served in front of s3rver's middleware (direct-put.ts). */
export interface KeptStore {
  putObject(object: unknown, createOnly: boolean): Promise<{ size: number; md5: string }>;
  bucketExists(bucket: string): Promise<boolean>;
}

/** Writes `content` to `path`; its size and MD5 (S3's ETag of a single-part object). */
async function writeCounted(content: Buffer | Readable, path: string): Promise<{ size: number; md5: string }> {
  const md5 = createHash("md5");
  let size = 0;
  const file = await open(path, "w");
  try {
    for await (const chunk of Buffer.isBuffer(content) ? [content] : (content as AsyncIterable<Buffer>)) {
      md5.update(chunk);
      size += chunk.length;
      await file.write(chunk);
    }
  } finally {
    await file.close();
  }
  return { size, md5: md5.digest("hex") };
}

/** Runs `write`, which puts a file at `path`; if the directory is missing, makes it and runs it again. */
async function inDirectory<T>(path: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(dirname(path), { recursive: true });
    return await write();
  }
}

async function removeIfThere(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/**
 * Answers kept for BRIEF_CACHE_MS. Every change forgets them all (changes are
 * rare: buckets and their configurations), and an answer read while a change
 * was under way is not kept.
 */
class BriefCache {
  private readonly entries = new Map<string, { value: unknown; until: number }>();
  private generation = 0;

  async get<T>(name: string, read: () => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T> {
    const known = this.entries.get(name);
    if (known && known.until > performance.now()) return known.value as T;
    const generation = this.generation;
    const value = await read();
    if (generation === this.generation && keep(value)) this.entries.set(name, { value, until: performance.now() + BRIEF_CACHE_MS });
    return value;
  }

  /** Runs a change: what was kept is forgotten before it starts and again when it ends. */
  async changing<T>(change: () => Promise<T>): Promise<T> {
    this.forget();
    try {
      return await change();
    } finally {
      this.forget();
    }
  }

  forget(): void {
    this.generation++;
    this.entries.clear();
  }
}

/** One task at a time per key, in arrival order. */
class KeyLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    // A tail never rejects, so the next task runs whatever became of this one.
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => task());
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
