import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { ModelFormatError } from "../errors.ts";
import { readInitializers } from "../onnx/read-initializers.ts";
import { floatOutput, inputSpec, outputName, type SessionClock, TimedSession } from "./onnx-session.ts";

// text_encoder/model.onnx: token ids [1,T] -> hidden states [1,T,D] (float32
// or float16), plus, in exports made with output_hidden_states (optimum does
// that for SDXL's encoders), every layer's input as `hidden_states.0` ..
// `hidden_states.L`, and a pooled output.
//
// CLIP skip k (A1111's "Clip skip", 1 = the last layer) reads the output of
// the k-th layer from the end, hidden_states.{L+1-k}. SD 1.x/2.x then apply
// the text model's final layer norm to it, as A1111 and diffusers do; that
// norm is not a graph output, so its weight and bias are read from the
// graph (initializers `…final_layer_norm.weight/.bias`) and applied here.
// SDXL's encoders use the penultimate state without the norm ("raw").

const FINAL_NORM = ["final_layer_norm.weight", "final_layer_norm.bias"] as const;
const DEFAULT_LAYER_NORM_EPS = 1e-5;

export type PenultimateMode = "final-layer-norm" | "raw";

export interface TextEncoding {
  /** [1,T,D] */
  hidden: { data: Float32Array; dims: readonly number[] };
  /** pooled output [1,P] when the export has one (`text_embeds` or `pooler_output`) */
  pooled: Float32Array | undefined;
}

function layerNorm(data: Float32Array, width: number, weight: Float32Array, bias: Float32Array, eps: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let row = 0; row < data.length; row += width) {
    let mean = 0;
    for (let i = 0; i < width; i++) mean += data[row + i]!;
    mean /= width;
    let variance = 0;
    for (let i = 0; i < width; i++) variance += (data[row + i]! - mean) ** 2;
    const scale = 1 / Math.sqrt(variance / width + eps);
    for (let i = 0; i < width; i++) out[row + i] = (data[row + i]! - mean) * scale * weight[i]! + bias[i]!;
  }
  return out;
}

export class ClipTextEncoder {
  private readonly idsType: "int32" | "int64";
  private readonly output: string;
  private readonly pooledOutput: string | undefined;
  private readonly timed: TimedSession;
  /** L: the highest hidden_states.N output, undefined when the export has none */
  readonly hiddenLayers: number | undefined;
  private finalNorm: Promise<{ weight: Float32Array; bias: Float32Array; eps: number } | string> | undefined;

  constructor(
    private readonly session: ort.InferenceSession,
    clock?: SessionClock,
    /** the model file, read again only for CLIP skip's final layer norm */
    private readonly path?: string,
  ) {
    this.timed = new TimedSession(session, clock);
    const spec = inputSpec(session, "input_ids", "text_encoder");
    // optimum exports int32 ids, the older diffusers script int64; the model says which.
    if (spec.type !== "int32" && spec.type !== "int64") throw new ModelFormatError(`text_encoder input_ids is ${spec.type}; expected int32 or int64`);
    this.idsType = spec.type;
    this.output = outputName(session, "last_hidden_state");
    this.pooledOutput = ["text_embeds", "pooler_output"].find((name) => session.outputNames.includes(name));
    const layers = session.outputNames.map((name) => /^hidden_states\.(\d+)$/.exec(name)?.[1]).filter((n) => n !== undefined).map(Number);
    this.hiddenLayers = layers.length > 0 ? Math.max(...layers) : undefined;
  }

  /** The window length the model was exported with, when it is fixed. */
  get fixedSequenceLength(): number | undefined {
    const dim = inputSpec(this.session, "input_ids", "text_encoder").shape[1];
    return typeof dim === "number" && dim > 0 ? dim : undefined;
  }

  /** Why CLIP skip `clipSkip` cannot run on this export, or undefined when it can. */
  async clipSkipProblem(clipSkip: number, mode: PenultimateMode): Promise<string | undefined> {
    if (clipSkip === 1) return undefined;
    if (this.hiddenLayers === undefined) {
      return "its text_encoder exports no hidden_states.N outputs (export it with output_hidden_states, as optimum exports SDXL)";
    }
    if (clipSkip > this.hiddenLayers) return `its text_encoder has ${this.hiddenLayers} layers`;
    if (mode === "raw") return undefined;
    const norm = await this.loadFinalNorm();
    return typeof norm === "string" ? norm : undefined;
  }

  private loadFinalNorm(): Promise<{ weight: Float32Array; bias: Float32Array; eps: number } | string> {
    this.finalNorm ??= (async () => {
      if (!this.path) return "the text encoder's file is unknown";
      const found = await readInitializers(this.path, FINAL_NORM);
      const weight = found.get(FINAL_NORM[0]);
      const bias = found.get(FINAL_NORM[1]);
      if (!weight || !bias) return "its text_encoder graph has no final_layer_norm.weight/.bias initializers stored inline (needed to normalise the earlier layer)";
      const config = await readFile(join(dirname(this.path), "config.json"), "utf8").then(
        (text) => JSON.parse(text) as Record<string, unknown>,
        () => ({}) as Record<string, unknown>,
      );
      const eps = typeof config["layer_norm_eps"] === "number" ? config["layer_norm_eps"] : DEFAULT_LAYER_NORM_EPS;
      return { weight, bias, eps };
    })();
    return this.finalNorm;
  }

  async encode(ids: readonly number[], clipSkip = 1, mode: PenultimateMode = "final-layer-norm"): Promise<TextEncoding> {
    const data = this.idsType === "int32" ? Int32Array.from(ids) : BigInt64Array.from(ids, BigInt);
    const result = await this.timed.run({ input_ids: new ort.Tensor(this.idsType, data, [1, ids.length]) });
    const pooled = this.pooledOutput ? floatOutput(result, this.pooledOutput, "text_encoder").data : undefined;
    const name = clipSkip === 1 ? this.output : `hidden_states.${this.hiddenLayers! + 1 - clipSkip}`;
    let hidden = floatOutput(result, name, "text_encoder");
    if (hidden.dims.length !== 3 || hidden.dims[1] !== ids.length) {
      throw new ModelFormatError(`text_encoder ${name} has shape [${hidden.dims.join(",")}]; expected [1,${ids.length},D]`);
    }
    if (clipSkip > 1 && mode === "final-layer-norm") {
      const norm = await this.loadFinalNorm();
      if (typeof norm === "string") throw new ModelFormatError(`CLIP skip ${clipSkip}: ${norm}`);
      hidden = { data: layerNorm(hidden.data, hidden.dims[2]!, norm.weight, norm.bias, norm.eps), dims: hidden.dims };
    }
    return { hidden, pooled };
  }

  release(): Promise<void> {
    return this.timed.release();
  }
}
