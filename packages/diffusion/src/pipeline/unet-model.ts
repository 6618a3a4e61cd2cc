import * as ort from "onnxruntime-node";
import { ModelFormatError } from "../errors.ts";
import { toFloat16 } from "../onnx/float16.ts";
import { type FloatType, floatInputType, floatOutput, floatTensor, inputSpec, outputName, type SessionClock, TimedSession } from "./onnx-session.ts";

const INPUTS = ["sample", "timestep", "encoder_hidden_states"];
// Inpainting UNets take latents, a 1-channel mask and masked-image latents stacked on the channel axis.
const INPAINT_EXTRA_CHANNELS = 5;

/** unet/model.onnx: predicts noise (or v) for a batch of latents at one timestep. */
export class UnetModel {
  /** channels of `sample`: 4 for SD 1.x/2.x, 9 for inpainting exports */
  readonly inputChannels: number;
  /** channels of the latents it denoises (4) */
  readonly latentChannels: number;
  private readonly timestepType: "int64" | "int32" | "float32" | "float16";
  private readonly timestepShape: "scalar" | "one" | "batch";
  private readonly sampleType: FloatType;
  private readonly hiddenType: FloatType;
  private readonly output: string;
  private readonly timed: TimedSession;

  constructor(session: ort.InferenceSession, clock?: SessionClock) {
    this.timed = new TimedSession(session, clock);
    const extra = session.inputNames.filter((name) => !INPUTS.includes(name));
    if (extra.length > 0) {
      throw new ModelFormatError(`unet needs inputs this pipeline does not provide: ${extra.join(", ")} (SDXL-style UNets are not supported)`);
    }
    const sample = inputSpec(session, "sample", "unet");
    this.sampleType = floatInputType(sample, "unet");
    this.hiddenType = floatInputType(inputSpec(session, "encoder_hidden_states", "unet"), "unet");
    const channels = sample.shape[1];
    this.inputChannels = typeof channels === "number" && channels > 0 ? channels : 4;
    this.latentChannels = this.inputChannels === 9 ? this.inputChannels - INPAINT_EXTRA_CHANNELS : this.inputChannels;
    // Exporters disagree: int64 [batch] (optimum), float32 [1] or a scalar, float16 in some fp16 exports.
    const timestep = inputSpec(session, "timestep", "unet");
    if (timestep.type !== "int64" && timestep.type !== "int32" && timestep.type !== "float32" && timestep.type !== "float16") {
      throw new ModelFormatError(`unet timestep is ${timestep.type}; expected int64, int32, float32 or float16`);
    }
    this.timestepType = timestep.type;
    this.timestepShape = timestep.shape.length === 0 ? "scalar" : timestep.shape[0] === 1 ? "one" : "batch";
    this.output = outputName(session, "out_sample");
  }

  /** bytes per activation value: 2 for fp16 exports, else 4 */
  get elementBytes(): number {
    return this.sampleType === "float16" ? 2 : 4;
  }

  get isInpainting(): boolean {
    return this.inputChannels === this.latentChannels + INPAINT_EXTRA_CHANNELS;
  }

  /**
   * The model output for `sample` [batch,C,h,w] conditioned on `hidden`
   * [batch,T,D]. Integer timestep inputs get the timestep truncated, as
   * diffusers' ONNX pipelines do (np.array([t], dtype=int64)); that only
   * matters for Euler with "linspace" spacing, whose timesteps are fractional.
   */
  async predict(sample: Float32Array, sampleDims: readonly number[], timestep: number, hidden: Float32Array, hiddenDims: readonly number[]): Promise<Float32Array> {
    const batch = sampleDims[0]!;
    const dims = this.timestepShape === "scalar" ? [] : this.timestepShape === "one" ? [1] : [batch];
    const count = this.timestepShape === "batch" ? batch : 1;
    const result = await this.timed.run({
      sample: floatTensor(this.sampleType, sample, sampleDims),
      timestep: new ort.Tensor(this.timestepType, this.timestepValues(timestep, count), dims),
      encoder_hidden_states: floatTensor(this.hiddenType, hidden, hiddenDims),
    });
    const out = floatOutput(result, this.output, "unet");
    const expected = batch * this.latentChannels * sampleDims[2]! * sampleDims[3]!;
    if (out.data.length !== expected) {
      throw new ModelFormatError(`unet ${this.output} has shape [${out.dims.join(",")}]; expected [${batch},${this.latentChannels},${sampleDims[2]},${sampleDims[3]}]`);
    }
    return out.data;
  }

  private timestepValues(timestep: number, count: number): BigInt64Array | Int32Array | Float32Array | Uint16Array {
    switch (this.timestepType) {
      case "int64":
        return new BigInt64Array(count).fill(BigInt(Math.trunc(timestep)));
      case "int32":
        return new Int32Array(count).fill(Math.trunc(timestep));
      case "float32":
        return new Float32Array(count).fill(timestep);
      default:
        return toFloat16(new Array<number>(count).fill(timestep));
    }
  }

  release(): Promise<void> {
    return this.timed.release();
  }
}
