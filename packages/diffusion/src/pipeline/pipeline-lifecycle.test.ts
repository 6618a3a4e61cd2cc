import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoModelDir, RED_CIRCLE } from "../testing/demo-fixture.ts";
import { Pipeline } from "./pipeline.ts";

let modelDir: string;
let remove: () => Promise<void>;
let pipeline: Pipeline;

beforeAll(async () => {
  ({ modelDir, remove } = await demoModelDir());
  pipeline = await Pipeline.load(modelDir);
});
afterAll(async () => {
  await pipeline?.close();
  await remove?.();
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("Pipeline", () => {
  it("is named after its folder and hashes its UNet like A1111", async () => {
    const unet = await readFile(join(modelDir, "unet", "model.onnx"));
    expect(pipeline.name).toBe("atelier-demo");
    expect(pipeline.modelHash).toBe(createHash("sha256").update(unet).digest("hex").slice(0, 10));
  });

  it("counts prompt tokens in the model's window", () => {
    expect(pipeline.countTokens("a red circle")).toBe(3);
    expect(pipeline.maxPromptTokens).toBe(75);
  });

  it("rejects invalid requests before doing any work", async () => {
    const steps: number[] = [];
    const error = await rejection(pipeline.render({ ...RED_CIRCLE, width: 100000, steps: 0 }, { onStep: (step) => steps.push(step) }));
    expect(error.name).toBe("ValidationError");
    expect((error as Error & { issues: string[] }).issues).toEqual([
      "width must be a multiple of 8 between 64 and 2048 (got 100000)",
      "steps must be an integer between 1 and 150 (got 0)",
    ]);
    expect(steps).toEqual([]);
  });

  it("refuses CLIP skip on an export without hidden_states outputs, naming why", async () => {
    const error = await rejection(pipeline.render({ ...RED_CIRCLE, clipSkip: 2 }));
    expect(error.name).toBe("ValidationError");
    expect(error.message).toBe(
      "clipSkip 2 cannot run on model atelier-demo: its text_encoder exports no hidden_states.N outputs (export it with output_hidden_states, as optimum exports SDXL)",
    );
  });

  it("reports every step and stops at the step after an abort", async () => {
    const seen: string[] = [];
    await pipeline.render({ ...RED_CIRCLE, steps: 5 }, { onStep: (step, steps) => seen.push(`${step}/${steps}`) });
    expect(seen).toEqual(["1/5", "2/5", "3/5", "4/5", "5/5"]);

    const controller = new AbortController();
    const steps: number[] = [];
    const error = await rejection(
      pipeline.render(RED_CIRCLE, {
        signal: controller.signal,
        onStep: (step) => {
          steps.push(step);
          if (step === 3) controller.abort();
        },
      }),
    );
    expect(error.name).toBe("AbortError");
    expect(steps).toEqual([1, 2, 3]);

    const already = await rejection(pipeline.render(RED_CIRCLE, { signal: AbortSignal.abort() }));
    expect(already.name).toBe("AbortError");
  });

  it("closes idempotently, stopping renders in flight", async () => {
    const own = await Pipeline.load(modelDir);
    let closing: Promise<void> | undefined;
    const steps: number[] = [];
    const running = own.render(RED_CIRCLE, {
      onStep: (step) => {
        steps.push(step);
        if (step === 2) closing = own.close();
      },
    });
    expect((await rejection(running)).name).toBe("AbortError");
    expect(steps).toEqual([1, 2]);
    await closing;
    await own.close();
    expect((await rejection(own.render(RED_CIRCLE))).message).toMatch(/closed/);
  });

  it("names the provider problem", async () => {
    const unknown = await rejection(Pipeline.load(modelDir, { providers: ["coreml"] }));
    expect(unknown.name).toBe("ProviderUnavailableError");
    expect(unknown.message).toMatch(/^coreml provider is not available in onnxruntime-node on /);
    expect((await rejection(Pipeline.load(modelDir, { intraOpThreads: 0 }))).message).toMatch(/intraOpThreads/);
  });

  // Only meaningful where onnxruntime-node was installed without its CUDA libraries.
  const bindingDir = dirname(createRequire(import.meta.url).resolve("onnxruntime-node"));
  const cudaInstalled = existsSync(join(bindingDir, "..", "bin", "napi-v6", process.platform, process.arch, "libonnxruntime_providers_cuda.so"));
  it.skipIf(cudaInstalled || process.platform !== "linux" || process.arch !== "x64")("says how to install a missing CUDA provider", async () => {
    const error = await rejection(Pipeline.load(modelDir, { providers: ["cuda"] }));
    expect(error.name).toBe("ProviderUnavailableError");
    expect(error.message).toBe("cuda provider not installed: install its CUDA files with `ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js` (they bring cuda and tensorrt; npm install skips that script, see allowScripts in package.json)");
  });

  it("explains a folder that is not a model", async () => {
    const error = await rejection(Pipeline.load(join(modelDir, "tokenizer")));
    expect(error.name).toBe("ModelFormatError");
    expect(error.message).toMatch(/^model_index.json is missing .*expected a diffusers\/optimum ONNX export$/);
  });
});
