import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@atelier/common";
import type { ExportRequest } from "@atelier/dashboard/api-types";
import { agentRegistry, batchStore, leaseStore, resultStore, type Database } from "@atelier/db";
import { createTestDatabase, type TestDatabase } from "@atelier/db/testing";
import { encodePng } from "@atelier/diffusion/png";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInProcessBus, type EventBus } from "../events/index.ts";
import { createS3ObjectStore, startEmbeddedS3, type EmbeddedS3, type ObjectStore } from "../storage/index.ts";
import { BucketSink } from "./bucket-sink.ts";
import { ExportJobs } from "./export-jobs.ts";

// More items than the exporter reads ahead (8), so that a stalled run still has images to read.
const ITEMS = 40;
const REQUEST: ExportRequest = { format: "both", shardItems: 2, minClipScore: null, includeRejected: false };
const HEARTBEAT_MS = 100;
const settings = { model: "m", width: 8, height: 8, steps: 1, guidance: 1, sampler: "euler" };
const hello = { name: "a", gpu: "", memoryBytes: 0, providers: ["cpu"], models: ["m"], slots: 1, maxWidth: 512, maxHeight: 512, version: "t" };
const BATCH = { id: "b", tenantId: "studio" };

/**
 * What a coordinator reads, stalled at will: while paused, every database
 * statement and every object read waits before it is sent, as a process
 * that stopped (SIGSTOP, a long GC pause, a frozen VM) would have sent
 * nothing. Writes already sent still land, as they would.
 */
class Stall {
  private gate: Promise<void> | undefined;
  private open: () => void = () => undefined;
  waiting = 0;

  pause(): void {
    this.gate ??= new Promise<void>((resolve) => (this.open = resolve));
  }

  resume(): void {
    this.gate = undefined;
    this.open();
  }

  /** `target` with `methods` held at the gate. */
  wrap<T extends object>(target: T, methods: (keyof T)[]): T {
    const held = async (run: () => Promise<unknown>) => {
      while (this.gate) {
        this.waiting++;
        await this.gate;
        this.waiting--;
      }
      return run();
    };
    return new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver) as unknown;
        if (typeof value !== "function" || !methods.includes(property as keyof T)) return value;
        return (...args: unknown[]) => held(() => (value as (...a: unknown[]) => Promise<unknown>).apply(object, args));
      },
    });
  }
}

/** `store` with every write it is asked for (an upload's signed URL, a put, a delete) noted in `writes`, by key. */
function noting(store: ObjectStore, writes: string[]): ObjectStore {
  return new Proxy(store, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (property === "presignPut" || property === "put" || property === "delete") writes.push(`${property} ${String(args[0])}`);
        return method.apply(object, args);
      };
    },
  });
}

async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("an export taken over by another coordinator", () => {
  let test: TestDatabase;
  let s3: EmbeddedS3;
  let store: ObjectStore;
  let bus: EventBus;
  let scratch: string;
  const log = createLogger({ level: "silent", name: "test" });
  const jobs = (db: Database, objects = store) => new ExportJobs({ db, store: objects, bus, log, heartbeatMs: HEARTBEAT_MS, maxRunning: 2, publishEveryMs: 50, fileUrlTtlMs: 60_000 });

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "atelier-export-jobs-"));
    test = await createTestDatabase();
    s3 = await startEmbeddedS3({ directory: join(scratch, "s3") });
    store = createS3ObjectStore({ endpoint: s3.endpoint, region: "us-east-1", bucket: "export-jobs", accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
    await store.ensureBucket();
    bus = createInProcessBus();
    // A finished batch of ITEMS outputs, each a distinct PNG in the bucket.
    const { db } = test;
    await agentRegistry.upsert(db, { id: "a1", ...hello });
    await batchStore.begin(db, { id: BATCH.id, tenantId: BATCH.tenantId, name: "b", priority: 0, defaults: settings, maxAttempts: 5 });
    await batchStore.append(db, BATCH.id, Array.from({ length: ITEMS }, (_, index) => ({ ...settings, index, prompt: `p${index}`, negativePrompt: "", seed: index })));
    await batchStore.commit(db, BATCH.id, ITEMS);
    const lease = await leaseStore.lease(db, BATCH.id, { models: ["m"], maxWidth: 512, maxHeight: 512, agentId: "a1", shardId: "s0", maxItems: ITEMS, leaseTtlMs: 30_000 });
    const outputs = [];
    for (const item of lease!.items) {
      const png = encodePng(new Uint8Array(8 * 8 * 3).fill(item.index * 20), 8, 8);
      const key = `studio/b/${String(item.index).padStart(8, "0")}-${item.seed}.png`;
      await store.put(key, png, "image/png");
      outputs.push({ itemId: item.itemId, epoch: lease!.epoch, key, sha256: createHash("sha256").update(png).digest("hex"), bytes: png.byteLength, width: 8, height: 8, renderMs: 1, metadata: {} });
    }
    await resultStore.recordOutputs(db, "a1", outputs);
  }, 60_000);
  afterAll(async () => {
    await bus?.close();
    await store?.close();
    await s3?.close();
    await test?.drop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const digests = async (prefix: string) => {
    const out: Record<string, string> = {};
    for await (const object of store.list(prefix)) out[object.key.slice(prefix.length)] = createHash("sha256").update(await store.get(object.key)).digest("hex");
    return out;
  };
  const stateOf = async (on: ExportJobs, id: string) => (await on.get(BATCH, id))?.state;

  it("stops a coordinator that stalled mid-export once another has taken the export over: none of its late writes land", async () => {
    const second = jobs(test.db);
    const stall = new Stall();
    const writes: string[] = [];
    const first = jobs(stall.wrap(test.db, ["query", "queryUrgent"]), stall.wrap(noting(store, writes), ["get", "head"]));
    try {
      // The reference: the same export, run through.
      const whole = await second.start(BATCH, REQUEST, "test");
      await until("the reference export", async () => (await stateOf(second, whole.id)) === "complete");
      const reference = await digests(`studio/b/exports/${whole.id}/`);
      expect(Object.keys(reference)).toHaveLength(1 + 2 * (ITEMS / REQUEST.shardItems));

      // The first coordinator stalls once its first shard is listed: its next write waits behind a read or its fence.
      const started = await first.start(BATCH, REQUEST, "test");
      const prefix = `studio/b/exports/${started.id}/`;
      await until("the first listed shard", async () => (await store.head(`${prefix}_stats.json`)) !== null);
      stall.pause();
      await until("the stalled run to wait", () => stall.waiting > 0);
      await until("its heartbeat to go silent", async () => (await stateOf(second, started.id)) === "interrupted");
      const left = JSON.parse(Buffer.from(await store.get(`${prefix}_stats.json`)).toString("utf8")) as { complete: boolean };
      expect(left.complete).toBe(false);

      const written = writes.length;
      expect(written).toBeGreaterThan(0);
      await second.resume(BATCH, started.id, "test");
      await until("the resumed export", async () => (await stateOf(second, started.id)) === "complete");
      const resumed = await digests(prefix);
      expect(resumed).toEqual(reference);

      // The stalled run wakes: its next heartbeat or the fence before its next write is refused; it writes nothing and records nothing.
      stall.resume();
      // Its own record of the job goes when its run ends (close() would end it: not used here).
      await until("the stalled run to end", async () => (await stateOf(first, started.id)) !== "running");
      expect(writes.slice(written)).toEqual([]);
      expect(await digests(prefix)).toEqual(reference);
      expect(await test.db.query(`SELECT state, epoch, samples, shards FROM export_job WHERE id = $1`, [started.id])).toEqual([{ state: "complete", epoch: 2, samples: ITEMS, shards: ITEMS / REQUEST.shardItems }]);
    } finally {
      stall.resume();
      await first.close();
      await second.close();
    }
  }, 60_000);

  it("writes nothing to the bucket once the sink's fence refuses", async () => {
    let refused = false;
    const sink = new BucketSink(store, "studio/b/fenced/", async () => {
      if (refused) throw new Error("taken over");
    });
    try {
      const shard = join(await sink.staging(), "000000.tar");
      writeFileSync(shard, "a shard");
      await sink.commit("000000.tar", shard);
      refused = true;
      writeFileSync(shard, "a late shard");
      await expect(sink.commit("000001.tar", shard)).rejects.toThrow("taken over");
      await expect(sink.put("_stats.json", Buffer.from("{}"))).rejects.toThrow("taken over");
      expect(Object.keys(await digests("studio/b/fenced/"))).toEqual(["000000.tar"]);
    } finally {
      await sink.close();
    }
  });
});
