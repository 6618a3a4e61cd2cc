import * as ort from "onnxruntime-node";
import { ModelFormatError } from "../errors.ts";
import { type ClipImageSettings, clipPixelValues } from "./clip-image-processor.ts";
import { type FloatType, floatInputType, floatTensor, inputSpec, type SessionClock, TimedSession } from "./onnx-session.ts";

/**
 * safety_checker/model.onnx as diffusers and optimum export it:
 * (clip_input [B,3,224,224], images [B,H,W,3] in [0,1]) -> (out_images,
 * has_nsfw_concepts [B] bool). Only the flag is used: the pipeline replaces
 * a flagged image with solid black itself, which is what the graph's own
 * out_images holds, without a float round trip of the other pixels.
 */
export class SafetyCheckerModel {
  private readonly clipType: FloatType;
  private readonly imagesType: FloatType;
  private readonly timed: TimedSession;

  constructor(
    session: ort.InferenceSession,
    private readonly settings: ClipImageSettings,
    clock?: SessionClock,
  ) {
    this.timed = new TimedSession(session, clock);
    this.clipType = floatInputType(inputSpec(session, "clip_input", "safety_checker"), "safety_checker");
    this.imagesType = floatInputType(inputSpec(session, "images", "safety_checker"), "safety_checker");
    if (!session.outputNames.includes("has_nsfw_concepts")) {
      throw new ModelFormatError(`safety_checker has no "has_nsfw_concepts" output (outputs: ${session.outputNames.join(", ")})`);
    }
  }

  /** Whether the checker flags an interleaved RGB image. */
  async isFlagged(rgb: Uint8Array, width: number, height: number): Promise<boolean> {
    const clip = clipPixelValues(rgb, width, height, this.settings);
    const unit = Float32Array.from(rgb, (v) => v / 255);
    const result = await this.timed.run({
      clip_input: floatTensor(this.clipType, clip, [1, 3, this.settings.cropHeight, this.settings.cropWidth]),
      images: floatTensor(this.imagesType, unit, [1, height, width, 3]),
    });
    const flags = result["has_nsfw_concepts"];
    if (!flags || flags.data.length < 1) throw new ModelFormatError("safety_checker returned no has_nsfw_concepts value");
    return Boolean(flags.data[0]);
  }

  release(): Promise<void> {
    return this.timed.release();
  }
}
