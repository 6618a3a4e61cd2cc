import * as ort from "onnxruntime-node";
import { ModelFormatError } from "../errors.ts";
import { type FloatType, floatInputType, floatOutput, floatTensor, inputSpec, type SessionClock, TimedSession } from "./onnx-session.ts";

/**
 * vae_encoder/model.onnx: image [1,3,H,W] in [-1,1] -> latents [1,C,H/8,W/8]
 * (before the scaling factor). Exporters differ in the output: optimum's
 * `latent_parameters` holds the posterior's mean and log-variance (2C
 * channels), diffusers' old script a `latent_sample` already drawn inside the
 * graph. The pipeline uses the posterior mean (diffusers' sample_mode
 * "argmax"): deterministic, and the posterior's spread is ~1e-3 of the
 * latent scale for SD's VAE.
 */
export class VaeEncoderModel {
  private readonly inputType: FloatType;
  private readonly output: string;
  private readonly timed: TimedSession;

  constructor(session: ort.InferenceSession, clock?: SessionClock) {
    this.timed = new TimedSession(session, clock);
    this.inputType = floatInputType(inputSpec(session, "sample", "vae_encoder"), "vae_encoder");
    const names = session.outputNames;
    this.output = names.includes("latent_parameters") ? "latent_parameters" : names.includes("latent_sample") ? "latent_sample" : names[0]!;
  }

  async encode(image: Float32Array, width: number, height: number, latentChannels: number): Promise<Float32Array> {
    const result = await this.timed.run({ sample: floatTensor(this.inputType, image, [1, 3, height, width]) });
    const out = floatOutput(result, this.output, "vae_encoder");
    const [batch, channels, h, w] = out.dims;
    if (batch !== 1 || h !== height / 8 || w !== width / 8 || (channels !== latentChannels && channels !== 2 * latentChannels)) {
      throw new ModelFormatError(`vae_encoder ${this.output} has shape [${out.dims.join(",")}]; expected [1,${latentChannels} or ${2 * latentChannels},${height / 8},${width / 8}]`);
    }
    // Mean first, log-variance after: the mean is the first C channels either way.
    return out.data.slice(0, latentChannels * h * w);
  }

  release(): Promise<void> {
    return this.timed.release();
  }
}
