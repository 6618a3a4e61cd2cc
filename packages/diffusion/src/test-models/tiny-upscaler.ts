import { GraphBuilder } from "../onnx/graph-builder.ts";
import { UnetLayers } from "./unet-layers.ts";

// A random-weight ESRGAN-shaped upscaler with the IO that ONNX exports of
// Real-ESRGAN / ESRGAN carry (input [1,3,h,w] RGB in [0,1] -> output
// [1,3,s·h,s·w]): a 3x3 conv trunk, a residual conv pair, then one nearest
// 2x upsampling + 3x3 conv per factor of two, as RRDBNet's upsampler does.
// Its output is the nearest-upscaled input plus a small learned-looking
// residual, clipped to [0,1], so pictures stay recognisable. No global
// operators: every output pixel depends on input pixels within ~4 px.

const WEIGHT_SEED = 4242;
const FEATURES = 16;

export function buildTinyUpscaler(version: string, scale: 2 | 4): Uint8Array {
  const g = new GraphBuilder("atelier_tiny_upscaler");
  const input = g.input("input", "float32", [1, 3, "height", "width"]);
  const l = new UnetLayers(g, WEIGHT_SEED);
  const trunk = l.silu(l.conv(input, 3, FEATURES, 3));
  let x = g.op("Add", [trunk, l.conv(l.silu(l.conv(trunk, FEATURES, FEATURES, 3)), FEATURES, FEATURES, 3)]);
  for (let factor = 1; factor < scale; factor *= 2) {
    const doubled = g.op("Resize", [x, "", g.constant([1, 1, 2, 2], [4], "float32")], { mode: { string: "nearest" } });
    x = l.silu(l.conv(doubled, FEATURES, FEATURES, 3));
  }
  const residual = g.op("Mul", [g.op("Tanh", [l.conv(x, FEATURES, 3, 3)]), g.scalar(0.05)]);
  const base = g.op("Resize", [input, "", g.constant([1, 1, scale, scale], [4], "float32")], { mode: { string: "nearest" } });
  const out = g.op("Clip", [g.op("Add", [base, residual]), g.scalar(0), g.scalar(1)]);
  g.output(out, "output", "float32", [1, 3, "out_height", "out_width"]);
  return g.toBytes(version);
}
