/** What the object store said it holds at a key: the object's length and ETag. */
export interface StoredUpload {
  bytes: number;
  /** Quotes removed; a single-part upload's is the MD5 of its bytes in hex. */
  etag: string;
}

export type StoreEvent =
  | ({ kind: "created"; bucket: string; key: string } & StoredUpload)
  | { kind: "removed"; bucket: string; key: string };

/**
 * The records of one S3 event notification, in the format AWS defines and
 * MinIO, Ceph RGW and s3rver send: `{"Records": [{eventName, s3: {bucket:
 * {name}, object: {key, size, eTag}}}]}`. Creations and removals are kept;
 * other records, and any that lack a field or do not parse, are skipped:
 * a message is never trusted to be well formed.
 *
 * Keys arrive URL-encoded with "+" for a space (AWS, MinIO); s3rver sends
 * them as they are. Decoding changes no Atelier key, which holds neither
 * "%" nor "+" (see objectKeyFor), so both read the same.
 */
export function parseStoreEvents(payload: Uint8Array): StoreEvent[] {
  let message: unknown;
  try {
    message = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8"));
  } catch {
    return [];
  }
  const records = (message as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) return [];
  return records.flatMap((record): StoreEvent[] => {
    const name = (record as { eventName?: unknown })?.eventName;
    const s3 = (record as { s3?: { bucket?: { name?: unknown }; object?: { key?: unknown; size?: unknown; eTag?: unknown } } })?.s3;
    const bucket = s3?.bucket?.name;
    const rawKey = s3?.object?.key;
    if (typeof name !== "string" || typeof bucket !== "string" || typeof rawKey !== "string") return [];
    const key = decodeKey(rawKey);
    if (key === undefined) return [];
    // "ObjectCreated:Put" from AWS and s3rver, "s3:ObjectCreated:Put" from MinIO.
    if (/(^|:)ObjectRemoved:/.test(name)) return [{ kind: "removed", bucket, key }];
    if (!/(^|:)ObjectCreated:/.test(name)) return [];
    const { size, eTag } = s3!.object!;
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0 || typeof eTag !== "string") return [];
    return [{ kind: "created", bucket, key, bytes: size, etag: eTag.replace(/"/g, "") }];
  });
}

function decodeKey(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

const QUIET_WARNING_MS = 60_000;

export interface UploadLedgerOptions {
  /** Only this bucket's events are kept. */
  bucket: string;
  /** How long an event is remembered. Default 60 s: results follow their upload within seconds. */
  ttlMs?: number;
  /** The most keys remembered; past it the oldest go first. Default 65,536. */
  maxKeys?: number;
  /**
   * A key's notice is waited for only while notices come: with none for this
   * long (the store's notifications are down or were never set up) a lookup
   * answers at once, so that results are read back without a stall. Default 10 s.
   */
  quietMs?: number;
  /** Milliseconds, for the TTL and the quiet; default Date.now. */
  now?: () => number;
}

interface Entry extends StoredUpload {
  atMs: number;
}

/**
 * The object store's own word on what it holds, from its event
 * notifications: the latest creation seen at each key, forgotten when the
 * object is removed or after a while. The coordinator checks an agent's
 * report against it instead of reading each object back; what is not here
 * (a notification late, lost or never configured) is read as before.
 */
export class UploadLedger {
  private readonly bucket: string;
  private readonly ttlMs: number;
  private readonly maxKeys: number;
  private readonly quietMs: number;
  private readonly now: () => number;
  private lastNoticeAtMs = -Infinity;
  private lastQuietWarningAtMs = -Infinity;
  // In the order noted: the oldest first, so that expiry and the cap look only at the front.
  private readonly entries = new Map<string, Entry>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(options: UploadLedgerOptions) {
    this.bucket = options.bucket;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 65_536;
    this.quietMs = options.quietMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  note(events: readonly StoreEvent[]): void {
    if (this.closed) return;
    const atMs = this.now();
    this.lastNoticeAtMs = atMs;
    for (const event of events) {
      if (event.bucket !== this.bucket) continue;
      this.entries.delete(event.key);
      if (event.kind === "removed") continue;
      this.entries.set(event.key, { bytes: event.bytes, etag: event.etag, atMs });
      const waiting = this.waiters.get(event.key);
      if (waiting) for (const wake of waiting) wake();
    }
    this.expire(atMs);
  }

  /** After the coordinator deleted the object itself: its removal's notice may come later. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  /**
   * The latest creation noted at the key, waiting up to `waitMs` for one
   * while notices come (see quietMs); undefined when none came.
   */
  async seen(key: string, waitMs: number): Promise<StoredUpload | undefined> {
    const known = this.current(key);
    if (known || waitMs <= 0 || this.closed || this.now() - this.lastNoticeAtMs > this.quietMs) return known;
    await new Promise<void>((resolve) => {
      let waiting = this.waiters.get(key);
      if (!waiting) this.waiters.set(key, (waiting = new Set()));
      const wake = () => {
        clearTimeout(timer);
        waiting.delete(wake);
        if (waiting.size === 0 && this.waiters.get(key) === waiting) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(wake, waitMs);
      waiting.add(wake);
    });
    return this.current(key);
  }

  /**
   * True when no notice has come for quietMs, at most once per QUIET_WARNING_MS:
   * the caller that found no notice tells the operator that outputs are being
   * read back because the store's notifications stopped or were never set up.
   */
  quietWarningDue(): boolean {
    const nowMs = this.now();
    if (nowMs - this.lastNoticeAtMs <= this.quietMs || nowMs - this.lastQuietWarningAtMs < QUIET_WARNING_MS) return false;
    this.lastQuietWarningAtMs = nowMs;
    return true;
  }

  /** Wakes every waiter (each finds what it finds) and keeps nothing more. */
  close(): void {
    this.closed = true;
    for (const waiting of [...this.waiters.values()]) for (const wake of [...waiting]) wake();
    this.entries.clear();
  }

  private current(key: string): StoredUpload | undefined {
    const entry = this.entries.get(key);
    if (!entry || this.now() - entry.atMs > this.ttlMs) return undefined;
    return { bytes: entry.bytes, etag: entry.etag };
  }

  private expire(nowMs: number): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxKeys && nowMs - entry.atMs <= this.ttlMs) break;
      this.entries.delete(key);
    }
  }
}
