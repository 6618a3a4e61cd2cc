import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../open-database.ts";
import { DATABASE_BACKENDS } from "../testing.ts";
import type { NewItem, RenderOptions } from "../domain.ts";
import { outputSizeOf } from "../render-options.ts";
import { agentRegistry } from "./agent-registry.ts";
import { batchStore } from "./batch-store.ts";
import { leaseStore } from "./lease-store.ts";

const core = { model: "xl", width: 64, height: 64, steps: 4, guidance: 0, sampler: "euler" };
const item = (index: number, options: RenderOptions = {}): NewItem => ({ ...core, ...options, index, prompt: `p${index}`, negativePrompt: "", seed: index });
const everything = { models: ["xl", "xl-refiner"], maxWidth: 512, maxHeight: 512, architectures: ["xl@sdxl", "xl-refiner@sdxl-refiner"], upscalers: ["esrgan"] };

// On both backends, and (Postgres) through COPY as well as INSERT: a batch of COPY_MIN_ITEMS or more streams into one COPY.
const backends = DATABASE_BACKENDS.map(([name, open]) => [name === "postgres" ? "postgres (COPY)" : "pglite (INSERT)", name === "postgres" ? 1_000 : 0, open] as const);

describe.each(backends)("render options on %s", (_name, filler, open) => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await open());
    await agentRegistry.upsert(db, { id: "a", name: "a", gpu: "", memoryBytes: 0, providers: ["cpu"], models: everything.models, slots: 1, maxWidth: 512, maxHeight: 512, version: "t" });
  });
  afterAll(() => close());

  let shards = 0;
  const lease = (batchId: string, capabilities: typeof everything | Omit<typeof everything, "architectures" | "upscalers">) =>
    leaseStore.lease(db, batchId, { ...capabilities, agentId: "a", shardId: `s${++shards}`, maxItems: 10_000, leaseTtlMs: 60_000 });

  it("keeps guidance 0 and the options; items with other options never share a shard; the Assign's settings carry them", async () => {
    const refined = { refinerModel: "xl-refiner", refinerStart: 0.8, architecture: "sdxl" };
    const hires = { hires: { scale: 2, steps: 0, denoise: 0.5, upscaler: "esrgan" }, seedSource: "torch-cpu", clipSkip: 2 };
    const many = Array.from({ length: filler }, (_, k) => item(3 + k));
    await batchStore.begin(db, { id: "b1", tenantId: "t", name: "", priority: 0, defaults: core, maxAttempts: 3 });
    await batchStore.append(db, "b1", [item(0, refined), item(1, hires), item(2, { upscale: { model: "esrgan", scale: 4 } }), ...many]);
    await batchStore.commit(db, "b1", 3 + filler);
    const leases = [];
    for (let lease1 = await lease("b1", everything); lease1; lease1 = await lease("b1", everything)) leases.push(lease1);
    const byIndex = new Map(leases.flatMap((l) => l.items.map((i) => [i.index, l.settings])));
    expect(leases.length).toBe(filler > 0 ? 4 : 3);
    expect(byIndex.get(0)).toEqual({ ...core, ...refined });
    expect(byIndex.get(1)).toEqual({ ...core, ...hires });
    expect(byIndex.get(2)).toEqual({ ...core, upscale: { model: "esrgan", scale: 4 } });
    if (filler > 0) expect(byIndex.get(3)).toEqual(core);
  });

  it("leases an item only to an agent with its architecture, refiner and upscaler", async () => {
    await batchStore.begin(db, { id: "b2", tenantId: "t", name: "", priority: 0, defaults: core, maxAttempts: 3 });
    await batchStore.append(db, "b2", [
      item(0, { architecture: "sdxl" }),
      item(1, { refinerModel: "xl-refiner", refinerStart: 0.8 }),
      item(2, { hires: { scale: 2, steps: 0, denoise: 0.5, upscaler: "esrgan" } }),
      item(3, { upscale: { model: "esrgan", scale: 2 } }),
      item(4, { hires: { scale: 2, steps: 0, denoise: 0.5, upscaler: "bicubic" } }),
    ]);
    await batchStore.commit(db, "b2", 5);
    const bare = { models: ["xl"], maxWidth: 512, maxHeight: 512 };
    const wrongArchitecture = { ...everything, models: ["xl"], architectures: ["xl@sd1"], upscalers: [] };
    expect((await lease("b2", bare))?.items.map((i) => i.index)).toEqual([4]);
    expect(await lease("b2", bare)).toBeUndefined();
    expect(await lease("b2", wrongArchitecture)).toBeUndefined();
    expect(await leaseStore.pickBatch(db, bare)).toBeUndefined();
    expect(await leaseStore.pickBatch(db, everything)).toMatchObject({ id: "b2" });
    const rest = [];
    for (let next = await lease("b2", everything); next; next = await lease("b2", everything)) rest.push(...next.items.map((i) => i.index));
    expect(rest.sort()).toEqual([0, 1, 2, 3]);
  });

  it("an item's output size is its first pass after hires and upscale", () => {
    expect(outputSizeOf({ width: 256, height: 256, upscale: { model: "esrgan", scale: 4 } })).toEqual({ width: 1024, height: 1024 });
    expect(outputSizeOf({ width: 100, height: 64, hires: { scale: 1.5, steps: 0, denoise: 0.5, upscaler: "bicubic" } })).toEqual({ width: 144, height: 96 });
    expect(outputSizeOf({ width: 64, height: 64 })).toEqual({ width: 64, height: 64 });
  });
});
