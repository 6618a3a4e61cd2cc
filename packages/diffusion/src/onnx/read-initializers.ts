import { readFile } from "node:fs/promises";
import onnxProto from "onnx-proto";
import { fromFloat16 } from "./float16.ts";

// Reads a few named weights out of an ONNX file, for computations the
// pipeline does outside the graph (CLIP skip's final layer norm). Only
// float32/float16 tensors stored inline (raw_data or float_data) are read;
// exports with external data keep their weights elsewhere, and the caller
// reports those as missing.

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;

/** Initializers whose names end with one of `suffixes`, as float32, keyed by suffix. */
export async function readInitializers(path: string, suffixes: readonly string[]): Promise<Map<string, Float32Array>> {
  const model = onnx.ModelProto.decode(await readFile(path));
  const found = new Map<string, Float32Array>();
  for (const tensor of model.graph?.initializer ?? []) {
    const suffix = suffixes.find((s) => tensor.name?.endsWith(s));
    if (suffix === undefined || found.has(suffix)) continue;
    const raw = tensor.rawData;
    if (tensor.dataType === DataType.FLOAT) {
      if (raw && raw.length > 0) {
        found.set(suffix, new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)));
      } else if (tensor.floatData && tensor.floatData.length > 0) {
        found.set(suffix, Float32Array.from(tensor.floatData));
      }
    } else if (tensor.dataType === DataType.FLOAT16 && raw && raw.length > 0) {
      found.set(suffix, fromFloat16(new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length))));
    }
  }
  return found;
}
