import * as ort from "onnxruntime-node";
import { afterEach, describe, expect, it } from "vitest";
import { type Dim, type ElemType, GraphBuilder } from "../onnx/graph-builder.ts";
import { ClipTextEncoder } from "./clip-text-encoder.ts";
import { UnetModel } from "./unet-model.ts";

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
    const s = await session(echoTimestepUnet("int64", ["batch"], "text_embeds"));
    expect(() => new UnetModel(s)).toThrow("unet needs inputs this pipeline does not provide: text_embeds (SDXL-style UNets are not supported)");
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
    const out = await encoder.encode(tokens);
    expect(out.dims).toEqual([1, 77, 1]);
    expect(Array.from(out.data)).toEqual(tokens);
  });
});
