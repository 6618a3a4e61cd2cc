import onnxProto from "onnx-proto";
import { float16Bits } from "./float16.ts";

// A thin, deterministic layer over the ONNX protobuf types for writing small
// models by hand (the demo model). Value names come from counters, tensors
// are stored little-endian in raw_data, and nothing depends on time or
// randomness, so the same calls always encode to the same bytes.
//
// "float" means the graph's working float type: float32, or float16 for a
// builder made with { floatType: "float16" } (weights, inputs and outputs
// all stored as float16, as an fp16 export is).

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
const AttrType = onnx.AttributeProto.AttributeType;

export type ElemType = "float" | "float32" | "float16" | "int64" | "int32" | "bool";
export type Dim = number | string;
export type Attr = { int: number } | { float: number } | { ints: number[] } | { string: string };

type ConcreteElem = Exclude<ElemType, "float">;

const ELEM: Record<ConcreteElem, number> = {
  float32: DataType.FLOAT,
  float16: DataType.FLOAT16,
  int64: DataType.INT64,
  int32: DataType.INT32,
  bool: DataType.BOOL,
};
const WIDTH: Record<ConcreteElem, number> = { float32: 4, float16: 2, int64: 8, int32: 4, bool: 1 };

function rawData(elem: ConcreteElem, values: ArrayLike<number>): Uint8Array {
  const width = WIDTH[elem];
  const bytes = new Uint8Array(values.length * width);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (elem === "float32") view.setFloat32(i * 4, v, true);
    else if (elem === "float16") view.setUint16(i * 2, float16Bits(v), true);
    else if (elem === "int32") view.setInt32(i * 4, v, true);
    else if (elem === "bool") view.setUint8(i, v ? 1 : 0);
    else view.setBigInt64(i * 8, BigInt(v), true);
  }
  return bytes;
}

function valueInfo(name: string, elem: ConcreteElem, dims: readonly Dim[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: ELEM[elem],
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

function attribute(name: string, attr: Attr) {
  if ("int" in attr) return onnx.AttributeProto.create({ name, type: AttrType.INT, i: attr.int });
  if ("float" in attr) return onnx.AttributeProto.create({ name, type: AttrType.FLOAT, f: attr.float });
  if ("ints" in attr) return onnx.AttributeProto.create({ name, type: AttrType.INTS, ints: attr.ints });
  return onnx.AttributeProto.create({ name, type: AttrType.STRING, s: new TextEncoder().encode(attr.string) });
}

export class GraphBuilder {
  private readonly nodes: ReturnType<typeof onnx.NodeProto.create>[] = [];
  private readonly initializers: ReturnType<typeof onnx.TensorProto.create>[] = [];
  private readonly inputs: ReturnType<typeof onnx.ValueInfoProto.create>[] = [];
  private readonly outputs: ReturnType<typeof onnx.ValueInfoProto.create>[] = [];
  private counter = 0;
  /** the concrete type "float" stands for in this graph */
  readonly floatType: "float32" | "float16";

  constructor(
    private readonly name: string,
    options: { floatType?: "float32" | "float16" } = {},
  ) {
    this.floatType = options.floatType ?? "float32";
  }

  /** The ONNX TensorProto data type code of "float" here (for Cast's `to`). */
  get floatTypeCode(): number {
    return ELEM[this.floatType];
  }

  private concrete(elem: ElemType): ConcreteElem {
    return elem === "float" ? this.floatType : elem;
  }

  input(name: string, elem: ElemType, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, this.concrete(elem), dims));
    return name;
  }

  /** Declares `value` as a graph output called `name`. */
  output(value: string, name: string, elem: ElemType, dims: readonly Dim[]): void {
    this.op("Identity", [value], {}, name);
    this.outputs.push(valueInfo(name, this.concrete(elem), dims));
  }

  /** Casts any numeric tensor to the graph's float type. */
  castToFloat(value: string): string {
    return this.op("Cast", [value], { to: { int: this.floatTypeCode } });
  }

  /** A constant tensor (initializer); dims [] makes a scalar. */
  constant(values: ArrayLike<number>, dims: readonly number[] = [values.length], elem: ElemType = "float", fixedName?: string): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== values.length) throw new Error(`constant has ${values.length} values for dims [${dims.join(",")}]`);
    // A fixed name mimics an exporter's parameter names (text_model.final_layer_norm.weight).
    const name = fixedName ?? `const_${this.counter++}`;
    const type = this.concrete(elem);
    this.initializers.push(onnx.TensorProto.create({ name, dims: [...dims], dataType: ELEM[type], rawData: rawData(type, values) }));
    return name;
  }

  scalar(value: number, elem: ElemType = "float"): string {
    return this.constant([value], [], elem);
  }

  ints(values: readonly number[]): string {
    return this.constant(values, [values.length], "int64");
  }

  /** Adds one node and returns its (first) output name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, outputName?: string): string {
    const output = outputName ?? `${opType.toLowerCase()}_${this.counter++}`;
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        input: [...inputs],
        output: [output],
        attribute: Object.entries(attrs).map(([key, value]) => attribute(key, value)),
      }),
    );
    return output;
  }

  /** x[..., start:end, ...] on one axis */
  slice(x: string, axis: number, start: number, end: number): string {
    return this.op("Slice", [x, this.ints([start]), this.ints([end]), this.ints([axis])]);
  }

  /** Serialised ModelProto (IR 8, default opset 17). */
  toBytes(producerVersion: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: "", version: 17 }],
      producerName: "atelier-demo",
      producerVersion,
      graph: onnx.GraphProto.create({
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
