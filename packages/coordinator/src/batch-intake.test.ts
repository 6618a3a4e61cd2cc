import { migrate, openDatabase, type Database } from "@atelier/db";
import type { ItemSpec, SubmitBatchRequest__Output } from "@atelier/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { receiveBatch } from "./batch-intake.ts";
import { ValidationError } from "./errors.ts";
import { admitSubmission } from "./tenant-limits.ts";

const DEFAULTS = { model: "atelier-demo", width: 512, height: 512, steps: 20, guidance: 7.5, sampler: "euler" };
const OPTIONS = { defaults: DEFAULTS, maxAttempts: 5, insertChunkItems: 3 };
// As decoded from the wire: has_guidance says whether guidance was set.
const settings = { model: "", width: 0, height: 0, steps: 0, sampler: "" };

function spec(prompt: string, extra: Partial<ItemSpec> = {}): ItemSpec {
  return { prompt, negativePrompt: "", seed: 0, hasSeed: false, count: 1, source: "", settings, ...extra };
}

async function* stream(header: object, ...chunks: ItemSpec[][]): AsyncGenerator<SubmitBatchRequest__Output> {
  yield { header: { tenant: "studio", name: "t", priority: 0, baseSeed: 100, idempotencyKey: "", defaults: null, ...header }, part: "header" } as SubmitBatchRequest__Output;
  for (const items of chunks) yield { items: { items }, part: "items" } as SubmitBatchRequest__Output;
}

const LIMITS = { maxQueuedItems: 1_000, userPriority: { min: -5, max: 5 } };
const user = { actor: "token:u", tenantId: "studio", admin: false };
const admit = (header: NonNullable<SubmitBatchRequest__Output["header"]>) => admitSubmission(db, user, header, LIMITS);
let db: Database;

describe("receiveBatch", () => {
  beforeAll(async () => {
    db = await openDatabase({ embedded: {} });
    await migrate(db);
  });
  afterAll(() => db.close());

  const rows = (batchId: string) =>
    db.query<{ index: number; seed: string; width: number; prompt: string }>(
      `SELECT index, seed::text AS seed, width, prompt FROM item WHERE batch_id = $1 ORDER BY index`,
      [batchId],
    );

  it("expands counts into consecutive seeds, fills defaults and writes in chunks", async () => {
    const result = await receiveBatch(
      db,
      stream({}, [spec("a", { count: 3, seed: 4294967295, hasSeed: true }), spec("b")], [spec("c", { settings: { ...settings, width: 256 } })]),
      OPTIONS,
      admit,
    );
    expect(result.itemCount).toBe(5);
    const items = await rows(result.batchId);
    expect(items.map((i) => [i.prompt, Number(i.seed), i.width])).toEqual([
      ["a", 4294967295, 512],
      ["a", 0, 512], // seeds wrap at 2^32
      ["a", 1, 512],
      ["b", 103, 512], // base seed + index
      ["c", 104, 256],
    ]);
  });

  it("keeps guidance 0 (no CFG) from the header and from an item; only an unset guidance inherits", async () => {
    const result = await receiveBatch(
      db,
      stream({ defaults: { ...settings, guidance: 0, hasGuidance: true } }, [spec("header's"), spec("own", { settings: { ...settings, guidance: 3, hasGuidance: true } })]),
      OPTIONS,
      admit,
    );
    const inherits = await receiveBatch(db, stream({}, [spec("inherits"), spec("zero", { settings: { ...settings, guidance: 0, hasGuidance: true } })]), OPTIONS, admit);
    const guidance = (batchId: string) => db.query<{ guidance: number }>(`SELECT guidance FROM item WHERE batch_id = $1 ORDER BY index`, [batchId]);
    expect((await guidance(result.batchId)).map((r) => r.guidance)).toEqual([0, 3]);
    expect((await guidance(inherits.batchId)).map((r) => r.guidance)).toEqual([7.5, 0]);
  });

  it("stores the render options an item sets over its header's, and only those", async () => {
    const header = { ...settings, seedSource: "torch-cpu", clipSkip: 2 };
    const hires = { scale: 2, steps: 0, denoise: 0.5, upscaler: "" };
    const result = await receiveBatch(db, stream({ defaults: header }, [
      spec("plain"),
      spec("hires", { settings: { ...settings, hires, architecture: "sd1" } }),
      spec("refined", { settings: { ...settings, refinerModel: "xl-refiner", refinerStart: 0.8, seedSource: "a1111-gpu", upscale: { model: "esrgan", scale: 4 } } }),
    ]), OPTIONS, admit);
    const rows = await db.query<{ options: object }>(`SELECT options FROM item WHERE batch_id = $1 ORDER BY index`, [result.batchId]);
    expect(rows.map((r) => r.options)).toEqual([
      { seedSource: "torch-cpu", clipSkip: 2 },
      { seedSource: "torch-cpu", clipSkip: 2, architecture: "sd1", hires: { scale: 2, steps: 0, denoise: 0.5, upscaler: "bicubic" } },
      { seedSource: "a1111-gpu", clipSkip: 2, refinerModel: "xl-refiner", refinerStart: 0.8, upscale: { model: "esrgan", scale: 4 } },
    ]);
  });

  it("names the field and the limit of a bad render option", async () => {
    const bad = async (extra: object) => receiveBatch(db, stream({}, [spec("a", { source: "f:9", settings: { ...settings, ...extra } })]), OPTIONS, admit);
    await expect(bad({ clipSkip: 13 })).rejects.toThrow("f:9: clip_skip must be an integer between 1 and 12 (got 13)");
    await expect(bad({ seedSource: "gpu" })).rejects.toThrow('f:9: seed_source must be one of atelier, torch-cpu, a1111-gpu (got "gpu")');
    await expect(bad({ refinerModel: "r" })).rejects.toThrow("f:9: refiner_model needs refiner_start");
    await expect(bad({ refinerModel: "r", refinerStart: 1.5 })).rejects.toThrow("f:9: refiner_start must be strictly between 0 and 1 (got 1.5)");
    await expect(bad({ hires: { scale: 5, steps: 0, denoise: 0.5, upscaler: "bicubic" } })).rejects.toThrow("f:9: hires.scale must be above 1 and at most 4 (got 5)");
    await expect(bad({ upscale: { model: "esrgan", scale: 3 } })).rejects.toThrow("f:9: upscale.scale must be one of 2, 4 (got 3)");
    await expect(bad({ upscale: { model: "esrgan", scale: 4 }, hires: { scale: 2, steps: 0, denoise: 0.5, upscaler: "bicubic" } }))
      .rejects.toThrow("f:9: hires/upscale make a 4096x4096 image from 512x512; the limit is 2048 px a side");
    await expect(bad({ architecture: "sd3" })).rejects.toThrow('f:9: architecture must be one of');
  });

  it("checks an item's own settings each time they change, and gives every item its own", async () => {
    const small = { ...settings, width: 256 };
    const result = await receiveBatch(db, stream({}, [spec("a", { settings: small }), spec("b", { settings: { ...small } })], [spec("c"), spec("d", { settings: { ...settings, width: 128 } }), spec("e", { settings: { ...small } })]), OPTIONS, admit);
    expect((await rows(result.batchId)).map((i) => [i.prompt, i.width])).toEqual([["a", 256], ["b", 256], ["c", 512], ["d", 128], ["e", 256]]);
    const bad = stream({}, [spec("a", { settings: small }), spec("b", { settings: { ...small } }), spec("c", { source: "f:3", settings: { ...small, steps: 999 } })]);
    await expect(receiveBatch(db, bad, OPTIONS, admit)).rejects.toThrow("f:3: steps must be an integer between 1 and 150 (got 999)");
    const afterGood = stream({}, [spec("a", { settings: small }), spec("", { source: "f:2", settings: { ...small } })]);
    await expect(receiveBatch(db, afterGood, OPTIONS, admit)).rejects.toThrow("f:2: prompt is empty");
  });

  it("rejects a bad item with its source and field, leaving no rows", async () => {
    const before = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM item`);
    const attempt = receiveBatch(db, stream({}, [spec("fine"), spec("fine")], [spec("x", { source: "p.jsonl:3", settings: { ...settings, steps: 999 } })]), OPTIONS, admit);
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow("p.jsonl:3: steps must be an integer between 1 and 150 (got 999)");
    const after = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM item`);
    expect(after[0]!.n).toBe(before[0]!.n);
    const batches = await db.query(`SELECT id FROM batch WHERE state = 'receiving'`);
    expect(batches).toEqual([]);
  });

  it("reports every problem of an item: prompt length, control characters, seed, count", async () => {
    const long = "x".repeat(2001);
    await expect(receiveBatch(db, stream({}, [spec(long, { source: "f:1" })]), OPTIONS, admit)).rejects.toThrow("f:1: prompt is 2001 characters; the limit is 2000");
    await expect(receiveBatch(db, stream({}, [spec("bell\u0007", { source: "f:2" })]), OPTIONS, admit)).rejects.toThrow("f:2: prompt contains control characters");
    await expect(receiveBatch(db, stream({}, [spec("a", { source: "f:3", count: 1000 })]), OPTIONS, admit)).rejects.toThrow("f:3: count must be at most 100 (got 1000)");
    await expect(receiveBatch(db, stream({}, [spec("a", { source: "f:4", settings: { ...settings, sampler: "warp" } })]), OPTIONS, admit)).rejects.toThrow('f:4: sampler must be one of euler, euler_a, ddim, pndm, dpmpp_2m, dpmpp_2m_karras, lcm (got "warp")');
  });

  it("rejects a stream without a header, an empty batch and a bad tenant", async () => {
    async function* noHeader(): AsyncGenerator<SubmitBatchRequest__Output> {
      yield { items: { items: [spec("a")] }, part: "items" } as SubmitBatchRequest__Output;
    }
    await expect(receiveBatch(db, noHeader(), OPTIONS, admit)).rejects.toThrow("the first message of SubmitBatch must be a header");
    await expect(receiveBatch(db, stream({}), OPTIONS, admit)).rejects.toThrow("the batch has no items");
    await expect(receiveBatch(db, stream({ tenant: "../etc" }, [spec("a")]), OPTIONS, admit)).rejects.toThrow('tenant "../etc" must be 1-64 letters');
  });

  it("returns the same batch for the same idempotency key", async () => {
    const first = await receiveBatch(db, stream({ idempotencyKey: "nightly-42" }, [spec("a"), spec("b")]), OPTIONS, admit);
    const again = await receiveBatch(db, stream({ idempotencyKey: "nightly-42" }, [spec("a"), spec("b")]), OPTIONS, admit);
    expect(again).toMatchObject({ batchId: first.batchId, itemCount: 2, reused: true });
  });

  it("a cancelled stream is not a batch", async () => {
    const source = stream({}, [spec("a")]);
    const cancelled = Object.assign(source, { cancelled: true });
    await expect(receiveBatch(db, cancelled, OPTIONS, admit)).rejects.toThrow("cancelled");
    expect(await db.query(`SELECT id FROM batch WHERE state = 'receiving'`)).toEqual([]);
  });

  it("writes as the token's tenant; another tenant, a priority out of range or a full queue is refused and writes nothing", async () => {
    const before = await db.query(`SELECT id FROM batch`);
    await expect(receiveBatch(db, stream({ tenant: "rival" }, [spec("a")]), OPTIONS, admit)).rejects.toThrow('this token submits as tenant "studio"');
    await expect(receiveBatch(db, stream({ priority: 6 }, [spec("a")]), OPTIONS, admit)).rejects.toThrow("priority must be between -5 and 5 for this token (got 6)");
    const admin = { actor: "token:a", tenantId: "ops", admin: true };
    const asAdmin = await receiveBatch(db, stream({ tenant: "rival", priority: 50 }, [spec("a")]), OPTIONS, (h) => admitSubmission(db, admin, h, LIMITS));
    expect(asAdmin.tenantId).toBe("rival");
    const queued = Number((await db.query<{ n: string }>(`SELECT coalesce(sum(total - done), 0)::text AS n FROM batch WHERE tenant_id = 'studio' AND state = 'queued'`))[0]!.n);
    const big = Array.from({ length: LIMITS.maxQueuedItems - queued + 1 }, (_, i) => spec(`p${i}`));
    await expect(receiveBatch(db, stream({}, big), OPTIONS, admit)).rejects.toThrow("tenant studio may queue");
    expect((await db.query(`SELECT id FROM batch`)).length).toBe(before.length + 1);
    expect(await db.query(`SELECT id FROM batch WHERE state = 'receiving'`)).toEqual([]);
  });
});
