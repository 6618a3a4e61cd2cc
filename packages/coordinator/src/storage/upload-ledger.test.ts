import { describe, expect, it } from "vitest";
import { parseStoreEvents, UploadLedger, type StoreEvent } from "./upload-ledger.ts";

const bytes = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value));

// The record as AWS's "Event message structure" page shows it (version 2.1), with values filled in.
const awsRecord = (eventName: string, key: string, object: Record<string, unknown> = { size: 1024, eTag: "d41d8cd98f00b204e9800998ecf8427e" }) => ({
  eventVersion: "2.1", eventSource: "aws:s3", awsRegion: "us-west-2", eventTime: "1970-01-01T00:00:00.000Z", eventName,
  userIdentity: { principalId: "AIDAJDPLRKLG7UEXAMPLE" }, requestParameters: { sourceIPAddress: "127.0.0.1" },
  responseElements: { "x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD" },
  s3: {
    s3SchemaVersion: "1.0", configurationId: "testRule",
    bucket: { name: "farm", ownerIdentity: { principalId: "A3NL1KOZZKExample" }, arn: "arn:aws:s3:::farm" },
    object: { key, ...object, versionId: "096fKKXTRTtl3on89fVO.nfljtsv6qko", sequencer: "0055AED6DCD90281E5" },
  },
});

describe("parseStoreEvents", () => {
  it("reads AWS's creations and removals, with keys URL-decoded", () => {
    const events = parseStoreEvents(bytes({ Records: [
      awsRecord("ObjectCreated:Put", "studio/b1/00000001-7.png"),
      awsRecord("ObjectCreated:Put", "with+a+space%2Fand%25"),
      awsRecord("ObjectRemoved:Delete", "studio/b1/00000002-8.png", {}),
    ] }));
    expect(events).toEqual([
      { kind: "created", bucket: "farm", key: "studio/b1/00000001-7.png", bytes: 1024, etag: "d41d8cd98f00b204e9800998ecf8427e" },
      { kind: "created", bucket: "farm", key: "with a space/and%", bytes: 1024, etag: "d41d8cd98f00b204e9800998ecf8427e" },
      { kind: "removed", bucket: "farm", key: "studio/b1/00000002-8.png" },
    ]);
  });

  it("reads MinIO's (event names prefixed s3:, the message wrapped with EventName and Key)", () => {
    const record = awsRecord("s3:ObjectCreated:Put", "studio/b1/00000003-9.png", { size: 6474, eTag: "\"430f89010c77aa34fc8760696da62d08\"" });
    const events = parseStoreEvents(bytes({ EventName: "s3:ObjectCreated:Put", Key: "farm/studio/b1/00000003-9.png", Records: [{ ...record, eventSource: "minio:s3" }] }));
    expect(events).toEqual([{ kind: "created", bucket: "farm", key: "studio/b1/00000003-9.png", bytes: 6474, etag: "430f89010c77aa34fc8760696da62d08" }]);
  });

  it("skips what it cannot trust instead of throwing", () => {
    expect(parseStoreEvents(bytes("not json"))).toEqual([]);
    expect(parseStoreEvents(bytes({ Records: "no" }))).toEqual([]);
    expect(parseStoreEvents(bytes(null))).toEqual([]);
    expect(parseStoreEvents(bytes({ Records: [
      null,
      awsRecord("ObjectCreated:Put", "k", { size: "12", eTag: "x" }),
      awsRecord("ObjectCreated:Put", "k", { size: -1, eTag: "x" }),
      awsRecord("ObjectCreated:Put", "k", { size: 12 }),
      awsRecord("ObjectCreated:Put", "bad%E0%A4%A"),
      awsRecord("ObjectTagging:Put", "k"),
      { eventName: "ObjectCreated:Put", s3: { bucket: {}, object: { key: "k", size: 1, eTag: "x" } } },
    ] }))).toEqual([]);
  });
});

describe("UploadLedger", () => {
  const created = (key: string, size: number, etag: string, bucket = "farm"): StoreEvent => ({ kind: "created", bucket, key, bytes: size, etag });

  it("keeps the latest creation per key of its own bucket, and forgets removed ones", async () => {
    const ledger = new UploadLedger({ bucket: "farm" });
    ledger.note([created("a", 1, "e1"), created("a", 2, "e2"), created("b", 3, "e3", "other")]);
    expect(await ledger.seen("a", 0)).toEqual({ bytes: 2, etag: "e2" });
    expect(await ledger.seen("b", 0)).toBeUndefined();
    ledger.note([{ kind: "removed", bucket: "farm", key: "a" }]);
    expect(await ledger.seen("a", 0)).toBeUndefined();
    ledger.note([created("c", 4, "e4")]);
    ledger.forget("c");
    expect(await ledger.seen("c", 0)).toBeUndefined();
  });

  it("wakes a waiter when its key's notice arrives, and gives up after the wait", async () => {
    const ledger = new UploadLedger({ bucket: "farm" });
    ledger.note([created("first", 1, "x")]);
    const waiting = ledger.seen("late", 10_000);
    ledger.note([created("other", 1, "x")]);
    ledger.note([created("late", 5, "e5")]);
    expect(await waiting).toEqual({ bytes: 5, etag: "e5" });
    const started = Date.now();
    expect(await ledger.seen("never", 50)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("does not wait while no notices come", async () => {
    let now = 0;
    const ledger = new UploadLedger({ bucket: "farm", quietMs: 5_000, now: () => now });
    // None yet: answered at once (a 60 s wait would time the test out).
    expect(await ledger.seen("k", 60_000)).toBeUndefined();
    ledger.note([created("other", 1, "x")]);
    now = 5_001;
    expect(await ledger.seen("k", 60_000)).toBeUndefined();
    now = 5_002;
    ledger.note([created("other", 1, "x")]);
    const waiting = ledger.seen("k", 60_000);
    ledger.note([created("k", 2, "y")]);
    expect(await waiting).toEqual({ bytes: 2, etag: "y" });
  });

  it("says once a minute that notices stopped, while they stay away", () => {
    let now = 0;
    const ledger = new UploadLedger({ bucket: "farm", quietMs: 5_000, now: () => now });
    expect(ledger.quietWarningDue()).toBe(true);
    now = 30_000;
    expect(ledger.quietWarningDue()).toBe(false);
    now = 60_000;
    expect(ledger.quietWarningDue()).toBe(true);
    ledger.note([created("k", 1, "x")]);
    now = 125_000;
    expect(ledger.quietWarningDue()).toBe(true);
    ledger.note([created("k", 1, "x")]);
    now = 129_000;
    expect(ledger.quietWarningDue()).toBe(false);
  });

  it("forgets notices older than its TTL and holds at most maxKeys", async () => {
    let now = 0;
    const ledger = new UploadLedger({ bucket: "farm", ttlMs: 1_000, maxKeys: 3, now: () => now });
    ledger.note([created("old", 1, "e")]);
    now = 1_001;
    expect(await ledger.seen("old", 0)).toBeUndefined();
    ledger.note(["k1", "k2", "k3", "k4"].map((key) => created(key, 1, key)));
    expect(ledger.size).toBe(3);
    expect(await ledger.seen("k1", 0)).toBeUndefined();
    expect(await ledger.seen("k4", 0)).toEqual({ bytes: 1, etag: "k4" });
  });

  it("on close, wakes its waiters and keeps nothing", async () => {
    const ledger = new UploadLedger({ bucket: "farm" });
    ledger.note([created("first", 1, "x")]);
    const waiting = ledger.seen("k", 60_000);
    ledger.close();
    expect(await waiting).toBeUndefined();
    ledger.note([created("k", 1, "e")]);
    expect(await ledger.seen("k", 0)).toBeUndefined();
  });
});
