import { GraphBuilder } from "../onnx/graph-builder.ts";

// A stand-in safety checker with the IO of the one diffusers and optimum
// export: (clip_input [B,3,224,224] CLIP-normalised, images [B,H,W,3] in
// [0,1]) -> (out_images, has_nsfw_concepts [B] bool); ONNX forbids an
// output named like an input, hence "out_images". Like the real one it
// decides from clip_input: it "flags" images whose mean red, undoing CLIP's
// normalisation, exceeds a threshold, and zeroes flagged images.

const CLIP_RED_MEAN = 0.48145466;
const CLIP_RED_STD = 0.26862954;
/** Mean red (0..1) above which an image is flagged. */
export const DEMO_SAFETY_RED_THRESHOLD = 0.6;

export function buildDemoSafetyChecker(version: string): Uint8Array {
  const g = new GraphBuilder("atelier_demo_safety_checker");
  const clip = g.input("clip_input", "float", ["batch_size", 3, 224, 224]);
  const images = g.input("images", "float", ["batch_size", "height", "width", 3]);
  const red = g.op("ReduceMean", [g.slice(clip, 1, 0, 1)], { axes: { ints: [1, 2, 3] }, keepdims: { int: 0 } });
  const threshold = (DEMO_SAFETY_RED_THRESHOLD - CLIP_RED_MEAN) / CLIP_RED_STD;
  const flagged = g.op("Greater", [red, g.scalar(threshold)]);
  const keep = g.op("Reshape", [g.op("Sub", [g.scalar(1), g.castToFloat(flagged)]), g.ints([-1, 1, 1, 1])]);
  g.output(g.op("Mul", [images, keep]), "out_images", "float", ["batch_size", "height", "width", 3]);
  g.output(flagged, "has_nsfw_concepts", "bool", ["batch_size"]);
  return g.toBytes(version);
}
