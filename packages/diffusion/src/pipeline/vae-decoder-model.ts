import * as ort from "onnxruntime-node";
import { ModelFormatError } from "../errors.ts";
import { floatOutput, inputSpec, outputName, requireFloat32 } from "./onnx-session.ts";

/** vae_decoder/model.onnx: latents [1,C,h,w] -> image [1,3,8h,8w] in [-1,1]. */
export class VaeDecoderModel {
  private readonly output: string;

  constructor(private readonly session: ort.InferenceSession) {
    requireFloat32(inputSpec(session, "latent_sample", "vae_decoder"), "vae_decoder");
    this.output = outputName(session, "sample");
  }

  async decode(latents: Float32Array, dims: readonly number[], width: number, height: number): Promise<Float32Array> {
    const result = await this.session.run({ latent_sample: new ort.Tensor("float32", latents, [...dims]) });
    const image = floatOutput(result, this.output, "vae_decoder");
    const [batch, channels, h, w] = image.dims;
    if (batch !== 1 || channels !== 3 || h !== height || w !== width) {
      throw new ModelFormatError(`vae_decoder ${this.output} has shape [${image.dims.join(",")}]; expected [1,3,${height},${width}]`);
    }
    return image.data;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
