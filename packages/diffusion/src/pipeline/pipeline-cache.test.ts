import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePng } from "../png/png-decode.ts";
import { RED_CIRCLE, testModelDirs } from "../testing/demo-fixture.ts";
import { Pipeline } from "./pipeline.ts";
import { PipelineCache } from "./pipeline-cache.ts";

let remove: () => Promise<void>;
let dirs: Record<"a" | "b" | "c", string>;
const request = { ...RED_CIRCLE, width: 64, height: 64, steps: 2 };

beforeAll(async () => {
  ({ dirs, remove } = await testModelDirs({ a: {}, b: { predictionType: "v_prediction" }, c: { scheduler: { timestep_spacing: "trailing" } } }));
});
afterAll(() => remove?.());

function cacheFor(budgetBytes: number, loads: string[]) {
  return new PipelineCache({
    memoryBudgetBytes: budgetBytes,
    load: (model) => {
      loads.push(model);
      return Pipeline.load(dirs[model as keyof typeof dirs]);
    },
  });
}

describe("PipelineCache", () => {
  it("keeps recently used pipelines warm and evicts the least recently used over budget", async () => {
    const probe = await Pipeline.load(dirs.a);
    const modelBytes = probe.residentBytes;
    await probe.close();
    const loads: string[] = [];
    const cache = cacheFor(2 * modelBytes + 1000, loads); // room for two models
    try {
      for (const model of ["a", "b", "a", "c", "a", "b"]) {
        const lease = await cache.acquire(model);
        await lease.pipeline.render(request);
        lease.release();
      }
      // a stays warm throughout; b is evicted when c arrives (b was used less recently than a).
      expect(loads).toEqual(["a", "b", "c", "b"]);
      expect(cache.models).toEqual(["a", "b"]);
      expect(cache.residentBytes).toBeLessThanOrEqual(2 * modelBytes + 1000);
    } finally {
      await cache.close();
      await cache.close();
    }
  });

  it("never evicts a pipeline in use, and shares one load between concurrent users", async () => {
    const loads: string[] = [];
    const cache = cacheFor(0, loads); // nothing may stay idle
    try {
      const [first, second] = await Promise.all([cache.acquire("a"), cache.acquire("a")]);
      expect(first.pipeline).toBe(second.pipeline);
      const other = await cache.acquire("b");
      // Both are in use, so both stay loaded despite the zero budget.
      expect(cache.models.sort()).toEqual(["a", "b"]);
      await first.pipeline.render(request);
      first.release();
      first.release(); // a second release is ignored
      expect(cache.models.sort()).toEqual(["a", "b"]);
      second.release();
      other.release();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(cache.models).toEqual([]);
      expect(loads).toEqual(["a", "b"]);
      await expect(first.pipeline.render(request)).rejects.toThrow(/closed/);
    } finally {
      await cache.close();
    }
    await expect(cache.acquire("a")).rejects.toThrow("pipeline cache is closed");
  });

  it("forgets a model whose load failed", async () => {
    let attempts = 0;
    const cache = new PipelineCache({
      memoryBudgetBytes: 1e9,
      load: async () => {
        attempts++;
        throw new Error("disk on fire");
      },
    });
    await expect(cache.acquire("x")).rejects.toThrow("disk on fire");
    await expect(cache.acquire("x")).rejects.toThrow("disk on fire");
    expect(attempts).toBe(2);
    await cache.close();
  });
});

describe("execution providers", () => {
  const bindingDir = dirname(createRequire(import.meta.url).resolve("onnxruntime-node"));
  const cudaInstalled = existsSync(join(bindingDir, "..", "bin", "napi-v6", process.platform, process.arch, "libonnxruntime_providers_cuda.so"));

  it.skipIf(cudaInstalled || process.platform !== "linux" || process.arch !== "x64")("falls back along the configured order when asked to", async () => {
    const pipeline = await Pipeline.load(dirs.a, { providers: ["cuda", "cpu"], providerFallback: true });
    try {
      expect(pipeline.providers).toEqual(["cpu"]);
      const provenance = JSON.parse(decodePng((await pipeline.render(request)).png).text["atelier"]!);
      expect(provenance.providers).toEqual(["cpu"]);
    } finally {
      await pipeline.close();
    }
    await expect(Pipeline.load(dirs.a, { providers: ["cuda"], providerFallback: true })).rejects.toThrow(
      /^none of the execution providers \[cuda\] can run here: cuda provider not installed/,
    );
  });

  it("takes session options", async () => {
    const pipeline = await Pipeline.load(dirs.a, { intraOpThreads: 2, interOpThreads: 1, graphOptimization: "basic" });
    try {
      const result = await pipeline.render(request);
      expect([result.width, result.height]).toEqual([request.width, request.height]);
    } finally {
      await pipeline.close();
    }
    await expect(Pipeline.load(dirs.a, { interOpThreads: 0 })).rejects.toThrow("interOpThreads must be a positive integer (got 0)");
  });
});
