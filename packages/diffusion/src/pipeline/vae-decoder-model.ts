import * as ort from "onnxruntime-node";
import { ModelFormatError } from "../errors.ts";
import { type FloatType, floatInputType, floatOutput, floatTensor, inputSpec, outputName, type SessionClock, TimedSession } from "./onnx-session.ts";

/** vae_decoder/model.onnx: latents [1,C,h,w] -> image [1,3,8h,8w] in [-1,1]. */
export class VaeDecoderModel {
  private readonly output: string;
  private readonly inputType: FloatType;
  private readonly timed: TimedSession;

  constructor(session: ort.InferenceSession, clock?: SessionClock) {
    this.timed = new TimedSession(session, clock);
    this.inputType = floatInputType(inputSpec(session, "latent_sample", "vae_decoder"), "vae_decoder");
    this.output = outputName(session, "sample");
  }

  async decode(latents: Float32Array, dims: readonly number[], width: number, height: number): Promise<Float32Array> {
    const result = await this.timed.run({ latent_sample: floatTensor(this.inputType, latents, dims) });
    const image = floatOutput(result, this.output, "vae_decoder");
    const [batch, channels, h, w] = image.dims;
    if (batch !== 1 || channels !== 3 || h !== height || w !== width) {
      throw new ModelFormatError(`vae_decoder ${this.output} has shape [${image.dims.join(",")}]; expected [1,3,${height},${width}]`);
    }
    return image.data;
  }

  release(): Promise<void> {
    return this.timed.release();
  }
}
