import { GraphBuilder } from "../onnx/graph-builder.ts";
import { DEMO_VAE_SCALING_FACTOR } from "./demo-vae-decoder.ts";

// The demo VAE encoder, the demo decoder's approximate inverse: sample
// [B,3,H,W] in [-1,1] -> latent_parameters [B,8,H/8,W/8] as optimum exports
// it (posterior mean, then log-variance). The mean's channels 0..2 are the
// 8x8 block averages of R,G,B and channel 3 (presence, see demo-unet.ts) is 1,
// all divided by the scaling factor that the pipeline multiplies back.

const DOWNSAMPLE = 8;
// A variance far below anything visible: the pipeline uses the mean anyway.
const LOG_VARIANCE = -30;

export function buildDemoVaeEncoder(version: string, floatType: "float32" | "float16" = "float32", scalingFactor = DEMO_VAE_SCALING_FACTOR): Uint8Array {
  const g = new GraphBuilder("atelier_demo_vae_encoder", { floatType });
  const image = g.input("sample", "float", ["batch_size", 3, "height", "width"]);
  const pooled = g.op("AveragePool", [image], { kernel_shape: { ints: [DOWNSAMPLE, DOWNSAMPLE] }, strides: { ints: [DOWNSAMPLE, DOWNSAMPLE] } });
  const presence = g.op("Add", [g.op("Mul", [g.slice(pooled, 1, 0, 1), g.scalar(0)]), g.scalar(1)]);
  const mean = g.op("Mul", [g.op("Concat", [pooled, presence], { axis: { int: 1 } }), g.scalar(1 / scalingFactor)]);
  const logVariance = g.op("Add", [g.op("Mul", [mean, g.scalar(0)]), g.scalar(LOG_VARIANCE)]);
  const parameters = g.op("Concat", [mean, logVariance], { axis: { int: 1 } });
  g.output(parameters, "latent_parameters", "float", ["batch_size", 8, "latent_height", "latent_width"]);
  return g.toBytes(version);
}
