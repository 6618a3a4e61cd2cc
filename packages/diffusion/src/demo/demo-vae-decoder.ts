import { GraphBuilder } from "../onnx/graph-builder.ts";

// The demo VAE decoder: latent_sample [B,4,h,w] -> sample [B,3,8h,8w] in
// [-1,1]. It undoes the pipeline's division by the scaling factor, reads
// channels 0..2 as R,G,B divided by max(channel 3, 1) (see demo-unet.ts for
// why), upsamples 8x bilinearly and clamps.

export const DEMO_VAE_SCALING_FACTOR = 0.18215;
const UPSAMPLE = 8;

export function buildDemoVaeDecoder(version: string, floatType: "float32" | "float16" = "float32", scalingFactor = DEMO_VAE_SCALING_FACTOR): Uint8Array {
  const g = new GraphBuilder("atelier_demo_vae_decoder", { floatType });
  const latent = g.input("latent_sample", "float", ["batch_size", 4, "latent_height", "latent_width"]);
  const unscaled = g.op("Mul", [latent, g.scalar(scalingFactor)]);
  const gain = g.op("Max", [g.slice(unscaled, 1, 3, 4), g.scalar(1)]);
  const rgb = g.op("Div", [g.slice(unscaled, 1, 0, 3), gain]);
  const upsampled = g.op("Resize", [rgb, "", g.constant([1, 1, UPSAMPLE, UPSAMPLE], [4], "float32")], { mode: { string: "linear" } });
  const image = g.op("Clip", [upsampled, g.scalar(-1), g.scalar(1)]);
  g.output(image, "sample", "float", ["batch_size", 3, "height", "width"]);
  return g.toBytes(version);
}
