import * as ort from "onnxruntime-node";
import { ModelFormatError } from "../errors.ts";
import { floatOutput, inputSpec, outputName, type SessionClock, TimedSession } from "./onnx-session.ts";

/** text_encoder/model.onnx: token ids [1,T] -> hidden states [1,T,D] (float32 or float16). */
export class ClipTextEncoder {
  private readonly idsType: "int32" | "int64";
  private readonly output: string;
  private readonly timed: TimedSession;

  constructor(
    private readonly session: ort.InferenceSession,
    clock?: SessionClock,
  ) {
    this.timed = new TimedSession(session, clock);
    const spec = inputSpec(session, "input_ids", "text_encoder");
    // optimum exports int32 ids, the older diffusers script int64; the model says which.
    if (spec.type !== "int32" && spec.type !== "int64") throw new ModelFormatError(`text_encoder input_ids is ${spec.type}; expected int32 or int64`);
    this.idsType = spec.type;
    this.output = outputName(session, "last_hidden_state");
  }

  /** The window length the model was exported with, when it is fixed. */
  get fixedSequenceLength(): number | undefined {
    const dim = inputSpec(this.session, "input_ids", "text_encoder").shape[1];
    return typeof dim === "number" && dim > 0 ? dim : undefined;
  }

  async encode(ids: readonly number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
    const data = this.idsType === "int32" ? Int32Array.from(ids) : BigInt64Array.from(ids, BigInt);
    const result = await this.timed.run({ input_ids: new ort.Tensor(this.idsType, data, [1, ids.length]) });
    const hidden = floatOutput(result, this.output, "text_encoder");
    if (hidden.dims.length !== 3 || hidden.dims[1] !== ids.length) {
      throw new ModelFormatError(`text_encoder ${this.output} has shape [${hidden.dims.join(",")}]; expected [1,${ids.length},D]`);
    }
    return hidden;
  }

  release(): Promise<void> {
    return this.timed.release();
  }
}
