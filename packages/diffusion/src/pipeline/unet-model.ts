import * as ort from "onnxruntime-node";
import { ModelFormatError } from "../errors.ts";
import { floatOutput, inputSpec, outputName, requireFloat32 } from "./onnx-session.ts";

const INPUTS = ["sample", "timestep", "encoder_hidden_states"];

/** unet/model.onnx: predicts noise for a batch of latents at one timestep. */
export class UnetModel {
  /** channels of `sample`; 4 for SD 1.x/2.x */
  readonly latentChannels: number;
  private readonly timestepType: "int64" | "int32" | "float32";
  private readonly timestepShape: "scalar" | "one" | "batch";
  private readonly output: string;

  constructor(private readonly session: ort.InferenceSession) {
    const extra = session.inputNames.filter((name) => !INPUTS.includes(name));
    if (extra.length > 0) {
      throw new ModelFormatError(`unet needs inputs this pipeline does not provide: ${extra.join(", ")} (SDXL-style UNets are not supported)`);
    }
    const sample = inputSpec(session, "sample", "unet");
    requireFloat32(sample, "unet");
    requireFloat32(inputSpec(session, "encoder_hidden_states", "unet"), "unet");
    const channels = sample.shape[1];
    this.latentChannels = typeof channels === "number" && channels > 0 ? channels : 4;
    // Exporters disagree: int64 [batch] (optimum), float32 [1] or a scalar.
    const timestep = inputSpec(session, "timestep", "unet");
    if (timestep.type !== "int64" && timestep.type !== "int32" && timestep.type !== "float32") {
      throw new ModelFormatError(`unet timestep is ${timestep.type}; expected int64, int32 or float32`);
    }
    this.timestepType = timestep.type;
    this.timestepShape = timestep.shape.length === 0 ? "scalar" : timestep.shape[0] === 1 ? "one" : "batch";
    this.output = outputName(session, "out_sample");
  }

  /** Noise prediction for `sample` [batch,C,h,w] conditioned on `hidden` [batch,T,D]. */
  async predict(sample: Float32Array, sampleDims: readonly number[], timestep: number, hidden: Float32Array, hiddenDims: readonly number[]): Promise<Float32Array> {
    const batch = sampleDims[0]!;
    const dims = this.timestepShape === "scalar" ? [] : this.timestepShape === "one" ? [1] : [batch];
    const count = this.timestepShape === "batch" ? batch : 1;
    const values =
      this.timestepType === "int64"
        ? new BigInt64Array(count).fill(BigInt(timestep))
        : this.timestepType === "int32"
          ? new Int32Array(count).fill(timestep)
          : new Float32Array(count).fill(timestep);
    const result = await this.session.run({
      sample: new ort.Tensor("float32", sample, [...sampleDims]),
      timestep: new ort.Tensor(this.timestepType, values, dims),
      encoder_hidden_states: new ort.Tensor("float32", hidden, [...hiddenDims]),
    });
    const out = floatOutput(result, this.output, "unet");
    if (out.data.length !== sample.length) throw new ModelFormatError(`unet ${this.output} has shape [${out.dims.join(",")}]; expected [${sampleDims.join(",")}]`);
    return out.data;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
