import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePng } from "../png/png-decode.ts";
import { RED_CIRCLE, testModelDirs } from "../testing/demo-fixture.ts";
import { encodePrompt } from "../tokenizer/prompt-tokens.ts";
import { ClipTokenizer } from "../tokenizer/clip-tokenizer.ts";
import { detectModelArchitecture } from "./model-architecture.ts";
import { Pipeline } from "./pipeline.ts";
import { sdxlTimeIds } from "./sdxl-conditioning.ts";

// SDXL through the real loading code on generated models in optimum's SDXL
// layout (test-models/sdxl-layout.ts): random-weight UNets with SDXL's IO,
// the demo's text encoders with hidden_states outputs, an fp16 VAE.

let remove: () => Promise<void>;
let dirs: Record<"sdxl" | "refiner" | "demo" | "turbo" | "lcm" | "random", string>;
let base: Pipeline;
let refiner: Pipeline;

beforeAll(async () => {
  const models = await testModelDirs({
    sdxl: { architecture: "sdxl" },
    refiner: { architecture: "sdxl-refiner" },
    demo: {},
    turbo: { scheduler: { timestep_spacing: "trailing" } },
    lcm: { timestepCondDim: 256 },
    random: { unet: "random" },
  });
  remove = models.remove;
  dirs = models.dirs;
  [base, refiner] = await Promise.all([Pipeline.load(dirs.sdxl), Pipeline.load(dirs.refiner)]);
});
afterAll(async () => {
  await Promise.all([base?.close(), refiner?.close()]);
  await remove?.();
});

const SMALL = { ...RED_CIRCLE, width: 64, height: 64, steps: 10 };

describe("model detection", () => {
  it("tells the architectures apart from the configs", async () => {
    const detected = Object.fromEntries(await Promise.all(Object.entries(dirs).map(async ([name, dir]) => [name, await detectModelArchitecture(dir)])));
    expect(detected["sdxl"]).toMatchObject({ architecture: "sdxl", family: "sdxl", defaultSizePx: 1024 });
    expect(detected["refiner"]).toMatchObject({ architecture: "sdxl-refiner", family: "sdxl-refiner", defaultSizePx: 1024 });
    expect(detected["demo"]).toMatchObject({ architecture: "sd1", family: "sd1", defaultSizePx: 512 });
    expect(detected["turbo"]).toMatchObject({ architecture: "turbo", family: "sd1", turbo: true });
    expect(detected["lcm"]).toMatchObject({ architecture: "lcm", family: "sd1", lcm: true });
    expect(base.architecture.family).toBe("sdxl");
    expect(base.defaultSizePx).toBe(1024);
  });

  it("reads which inputs the UNet takes and their widths", async () => {
    const session = await ort.InferenceSession.create(`${dirs.sdxl}/unet/model.onnx`);
    try {
      expect([...session.inputNames].sort()).toEqual(["encoder_hidden_states", "sample", "text_embeds", "time_ids", "timestep"]);
    } finally {
      await session.release();
    }
    expect((base as unknown as { components: { unet: { addedCond: unknown } } }).components.unet.addedCond).toEqual({ textEmbedsWidth: 32, timeIdsWidth: 6 });
    expect((refiner as unknown as { components: { unet: { addedCond: unknown } } }).components.unet.addedCond).toEqual({ textEmbedsWidth: 32, timeIdsWidth: 5 });
  });
});

describe("SDXL conditioning", () => {
  it("is both encoders' penultimate hidden states side by side, with text_encoder_2's pooled text_embeds", async () => {
    const prompt = "a red circle on a blue background";
    const raw = async (folder: string, tokenizerFolder: string) => {
      const tokenizer = await ClipTokenizer.load(`${dirs.sdxl}/${tokenizerFolder}`);
      const ids = encodePrompt(tokenizer, prompt).chunks[0]!.ids;
      const session = await ort.InferenceSession.create(`${dirs.sdxl}/${folder}/model.onnx`);
      try {
        const out = await session.run({ input_ids: new ort.Tensor("int32", Int32Array.from(ids), [1, ids.length]) });
        // hidden_states.0..2: the penultimate is .1; the last layer (scaled) differs from it
        return { penultimate: out["hidden_states.1"]!.data as Float32Array, last: out["last_hidden_state"]!.data as Float32Array, pooled: out["text_embeds"]?.data as Float32Array | undefined, ids };
      } finally {
        await session.release();
      }
    };
    const first = await raw("text_encoder", "tokenizer");
    const second = await raw("text_encoder_2", "tokenizer_2");
    expect(second.ids.at(-1)).not.toBe(first.ids.at(-1)); // tokenizer_2 pads with "!"
    const encoder = (base as unknown as { promptEncoder: { embed(p: string): Promise<{ data: Float32Array; width: number; tokens: number; pooled?: Float32Array }> } }).promptEncoder;
    const embedding = await encoder.embed(prompt);
    expect(embedding).toMatchObject({ width: 64, tokens: 77 });
    for (let t = 0; t < 77; t++) {
      expect(Array.from(embedding.data.subarray(t * 64, t * 64 + 32))).toEqual(Array.from(first.penultimate.subarray(t * 32, (t + 1) * 32)));
      expect(Array.from(embedding.data.subarray(t * 64 + 32, (t + 1) * 64))).toEqual(Array.from(second.penultimate.subarray(t * 32, (t + 1) * 32)));
    }
    expect(Array.from(first.last)).not.toEqual(Array.from(first.penultimate));
    expect(Array.from(embedding.pooled!)).toEqual(Array.from(second.pooled!));
  });

  it("builds time_ids as diffusers does: (h, w, 0, 0, h, w); the refiner's end in the aesthetic score", () => {
    expect(Array.from(sdxlTimeIds(1024, 768, 6, false))).toEqual([768, 1024, 0, 0, 768, 1024]);
    expect(Array.from(sdxlTimeIds(1024, 768, 5, false))).toEqual([768, 1024, 0, 0, 6]);
    expect(Array.from(sdxlTimeIds(1024, 768, 5, true))).toEqual([768, 1024, 0, 0, 2.5]);
  });
});

describe("SDXL renders", () => {
  async function runs(pipelines: Pipeline[], render: () => Promise<unknown>): Promise<number[]> {
    const before = pipelines.map((p) => p.stats.sessionRuns);
    await render();
    return pipelines.map((p, i) => p.stats.sessionRuns - before[i]!);
  }

  it("renders end to end at the requested size; an empty negative prompt is zeros (no encoder call), a given one is encoded", async () => {
    let result: { png: Uint8Array } | undefined;
    // two text encoders for the prompt, none for the empty negative prompt (the first render that could encode ""), 10 UNet calls, one VAE decode
    expect(await runs([base], async () => (result = await base.render({ ...SMALL, width: 128, height: 96, prompt: "a green square" })))).toEqual([2 + 10 + 1]);
    const image = decodePng(result!.png);
    expect([image.width, image.height]).toEqual([128, 96]);
    expect(await runs([base], () => base.render({ ...SMALL, prompt: "a cyan ring", negativePrompt: "blurry" }))).toEqual([4 + 10 + 1]);
  });

  it("hands the latents to the refiner at refinerStart: base calls at t >= 200, refiner below, refiner decodes", async () => {
    // leading spacing, 10 steps: 901, 801, ..., 1; cutoff round(1000 - 0.8·1000) = 200
    const split = await runs([base, refiner], () => base.render({ ...SMALL, prompt: "a brown triangle", refinerStart: 0.8 }, { refiner }));
    expect(split).toEqual([2 + 8, 1 + 1 + 2 + 1]); // refiner: prompt and "" (its config does not zero it), 2 UNet calls, decode
    const result = await base.render({ ...SMALL, refinerStart: 0.8 }, { refiner });
    const text = decodePng(result.png).text;
    expect(text["parameters"]).toContain(`, Refiner: ${refiner.name} [${refiner.modelHash}], Refiner switch at: 0.8`);
    expect(JSON.parse(text["atelier"]!)).toMatchObject({ refiner: refiner.name, refinerStart: 0.8 });
  });

  it("refuses refinerStart without a refiner, with the reason", async () => {
    await expect(base.render({ ...SMALL, refinerStart: 0.8 })).rejects.toThrow("refinerStart 0.8 needs a refiner: pass the refiner model's pipeline as RenderOptions.refiner");
  });

  it("splits one schedule exactly: a model refining itself gives the one-stage image", async () => {
    const model = await Pipeline.load(dirs.random);
    try {
      for (const sampler of ["euler", "ddim", "euler_a"] as const) {
        const request = { ...SMALL, sampler, steps: 8 };
        const whole = decodePng((await model.render(request)).png);
        const halves = decodePng((await model.render({ ...request, refinerStart: 0.55 }, { refiner: model })).png);
        expect(Buffer.from(halves.pixels).equals(Buffer.from(whole.pixels)), sampler).toBe(true);
      }
    } finally {
      await model.close();
    }
  });
});
