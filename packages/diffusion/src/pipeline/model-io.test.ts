import * as ort from "onnxruntime-node";
import { afterEach, describe, expect, it } from "vitest";
import { type Dim, type ElemType, GraphBuilder } from "../onnx/graph-builder.ts";
import { ClipTextEncoder } from "./clip-text-encoder.ts";
import { SafetyCheckerModel } from "./safety-checker-model.ts";
import { UnetModel } from "./unet-model.ts";
import { VaeEncoderModel } from "./vae-encoder-model.ts";

// Exporters disagree on dtypes and shapes of small inputs; the pipeline reads
// them from the session. These tiny models echo what they were fed.

const sessions: ort.InferenceSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.release()));
});

async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  const s = await ort.InferenceSession.create(bytes);
  sessions.push(s);
  return s;
}

/** out_sample = sample·0 + float(timestep), broadcast per batch row. */
function echoTimestepUnet(timestepType: ElemType, timestepDims: Dim[], extraInput?: string): Uint8Array {
  const g = new GraphBuilder("echo_unet");
  const sample = g.input("sample", "float", ["batch", 4, "h", "w"]);
  const timestep = g.input("timestep", timestepType, timestepDims);
  g.input("encoder_hidden_states", "float", ["batch", 77, 8]);
  if (extraInput) g.input(extraInput, "float", ["batch", 6]);
  const t = g.op("Reshape", [g.op("Cast", [timestep], { to: { int: 1 } }), g.ints([-1, 1, 1, 1])]);
  g.output(g.op("Add", [g.op("Mul", [sample, g.scalar(0)]), t]), "out_sample", "float", ["batch", 4, "h", "w"]);
  return g.toBytes("test");
}

describe("UnetModel", () => {
  it.each([
    ["int64", ["batch"]],
    ["int32", ["batch"]],
    ["float32 [1]", [1]],
    ["float32 scalar", []],
  ] as const)("feeds a %s timestep", async (label, dims) => {
    const type: ElemType = label.startsWith("float") ? "float" : (label as ElemType);
    const unet = new UnetModel(await session(echoTimestepUnet(type, [...dims])));
    const out = await unet.predict(new Float32Array(2 * 4 * 2 * 2), [2, 4, 2, 2], 951, new Float32Array(2 * 77 * 8), [2, 77, 8]);
    expect(Array.from(new Set(out))).toEqual([951]);
    expect(out).toHaveLength(32);
  });

  it("refuses UNets that need inputs it does not provide", async () => {
    const s = await session(echoTimestepUnet("int64", ["batch"], "mid_block_additional_residual"));
    expect(() => new UnetModel(s)).toThrow("unet needs inputs this pipeline does not provide: mid_block_additional_residual (ControlNet and IP-Adapter inputs are not supported)");
    const half = await session(echoTimestepUnet("int64", ["batch"], "text_embeds"));
    expect(() => new UnetModel(half)).toThrow("unet takes one of text_embeds and time_ids without the other");
  });

  it("feeds timestep_cond, with its width from the graph or from unet/config.json", async () => {
    for (const [width, config] of [[6, {}], ["cond_dim", { time_cond_proj_dim: 6 }]] as const) {
      const g = new GraphBuilder("echo_cond_unet");
      const sample = g.input("sample", "float", ["batch", 4, "h", "w"]);
      g.input("timestep", "int64", ["batch"]);
      g.input("encoder_hidden_states", "float", ["batch", 77, 8]);
      const cond = g.input("timestep_cond", "float", ["batch", width]);
      // out = sample·0 + sum(timestep_cond) per row
      const total = g.op("Reshape", [g.op("ReduceSum", [cond, g.ints([1])], { keepdims: { int: 0 } }), g.ints([-1, 1, 1, 1])]);
      g.output(g.op("Add", [g.op("Mul", [sample, g.scalar(0)]), total]), "out_sample", "float", ["batch", 4, "h", "w"]);
      const unet = new UnetModel(await session(g.toBytes("test")), undefined, config);
      expect(unet.timestepCondDim).toBe(6);
      const args = [new Float32Array(2 * 4), [2, 4, 1, 1], 10, new Float32Array(2 * 77 * 8), [2, 77, 8]] as const;
      const out = await unet.predict(...args, { timestepCond: Float32Array.of(1, 2, 3, 0, 0, 0, 10, 10, 10, 10, 10, 10) });
      expect(Array.from(out)).toEqual([6, 6, 6, 6, 60, 60, 60, 60]);
      await expect(unet.predict(...args)).rejects.toThrow("unet input timestep_cond needs the guidance-scale embedding for each of 2 rows");
    }
  });
});

describe("ClipTextEncoder", () => {
  it.each(["int32", "int64"] as const)("feeds %s input_ids", async (type) => {
    const g = new GraphBuilder("echo_text_encoder");
    const ids = g.input("input_ids", type, [1, 77]);
    const hidden = g.op("Unsqueeze", [g.op("Cast", [ids], { to: { int: 1 } }), g.ints([2])]);
    g.output(hidden, "last_hidden_state", "float", [1, 77, 1]);
    const encoder = new ClipTextEncoder(await session(g.toBytes("test")));
    expect(encoder.fixedSequenceLength).toBe(77);
    const tokens = Array.from({ length: 77 }, (_, i) => 1000 + i);
    const out = (await encoder.encode(tokens)).hidden;
    expect(out.dims).toEqual([1, 77, 1]);
    expect(Array.from(out.data)).toEqual(tokens);
  });
});

describe("VaeEncoderModel", () => {
  // Echo encoders: the mean is the 8x8 block averages of R, G, B plus a copy of R;
  // optimum's "latent_parameters" form appends a (zero) log-variance.
  function encoder(outputName: string, channels: number): Uint8Array {
    const g = new GraphBuilder("echo_vae_encoder");
    const image = g.input("sample", "float", ["batch", 3, "h", "w"]);
    const pooled = g.op("AveragePool", [image], { kernel_shape: { ints: [8, 8] }, strides: { ints: [8, 8] } });
    const parts = [pooled, g.slice(pooled, 1, 0, 1)];
    if (channels === 8) parts.push(g.op("Mul", [pooled, g.scalar(0)]), g.op("Mul", [g.slice(pooled, 1, 0, 1), g.scalar(0)]));
    g.output(g.op("Concat", parts, { axis: { int: 1 } }), outputName, "float", ["batch", channels, "h8", "w8"]);
    return g.toBytes("test");
  }

  it.each([
    ["latent_sample", 4],
    ["latent_parameters", 8],
  ] as const)("reads %s (%i channels) as the posterior mean", async (name, channels) => {
    const vae = new VaeEncoderModel(await session(encoder(name, channels)));
    const image = Float32Array.from({ length: 3 * 16 * 8 }, (_, i) => (i < 128 ? 0.5 : -0.25));
    const latents = await vae.encode(image, 8, 16, 4);
    expect(Array.from(latents)).toEqual([0.5, 0.5, -0.25, -0.25, -0.25, -0.25, 0.5, 0.5]);
  });
});

describe("SafetyCheckerModel", () => {
  it("feeds CLIP-normalised clip_input and images, and reads has_nsfw_concepts", async () => {
    // Flags when clip_input's channel 0 mean is above 0, i.e. mean red above CLIP's red mean.
    const g = new GraphBuilder("echo_safety_checker");
    const clip = g.input("clip_input", "float", ["batch", 3, 224, 224]);
    const images = g.input("images", "float", ["batch", "h", "w", 3]);
    const red = g.op("ReduceMean", [g.slice(clip, 1, 0, 1)], { axes: { ints: [1, 2, 3] }, keepdims: { int: 0 } });
    g.output(images, "out_images", "float", ["batch", "h", "w", 3]);
    g.output(g.op("Greater", [red, g.scalar(0)]), "has_nsfw_concepts", "bool", ["batch"]);
    const settings = { shortestEdge: 224, cropWidth: 224, cropHeight: 224, mean: [0.48145466, 0.4578275, 0.40821073] as [number, number, number], std: [0.26862954, 0.26130258, 0.27577711] as [number, number, number] };
    const checker = new SafetyCheckerModel(await session(g.toBytes("test")), settings);
    const solid = (r: number) => Uint8Array.from({ length: 64 * 32 * 3 }, (_, i) => (i % 3 === 0 ? r : 0));
    expect(await checker.isFlagged(solid(200), 64, 32)).toBe(true);
    expect(await checker.isFlagged(solid(100), 64, 32)).toBe(false); // 100/255 < 0.4815
  });
});
