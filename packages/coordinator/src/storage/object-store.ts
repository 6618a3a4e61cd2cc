/**
 * The object store seam. The coordinator never proxies image bytes: agents
 * PUT outputs straight to presigned URLs, and the coordinator only signs,
 * verifies (head) and cleans up. Every implementation must pass
 * `object-store.test.ts`.
 */
export interface ObjectStore {
  readonly bucket: string;
  /** Signs the key, the content type and, when given, the exact length. */
  presignPut(key: string, options: PresignPutOptions): Promise<string>;
  presignGet(key: string, options: { expiresInMs: number }): Promise<string>;
  /**
   * Null when no object exists at the key. With `firstBytes`, the object's
   * first bytes come too, in the same request (a ranged GET instead of a HEAD).
   */
  head(key: string, options?: { firstBytes?: number }): Promise<ObjectHead | null>;
  delete(key: string): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** Every object under the prefix, in key order, fetched page by page. */
  list(prefix: string): AsyncIterable<ObjectListing>;
  /** Deletes every object under a non-empty prefix; returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** Creates the bucket unless it exists; safe to call on every start. */
  ensureBucket(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

export interface PresignPutOptions {
  contentType: string;
  expiresInMs: number;
  contentLength?: number;
}

export interface ObjectHead {
  bytes: number;
  contentType?: string;
  /** As the store gives it, quotes removed; for a single-part upload, the MD5 of the bytes in hex. */
  etag?: string;
  /** Up to the `firstBytes` asked for (fewer when the object is shorter). */
  firstBytes?: Uint8Array;
}

export interface ObjectListing {
  key: string;
  bytes: number;
}
