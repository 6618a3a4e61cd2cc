import { GraphBuilder } from "../onnx/graph-builder.ts";
import { UnetLayers } from "./unet-layers.ts";

// A random-weight VAE decoder with the export's IO (latent_sample
// [B,4,h,w] -> sample [B,3,8h,8w]) and the decoder's kind of work: 3x3
// convolutions at latent resolution, three nearest-neighbour 2x upsamplings
// each followed by a 3x3 convolution, SiLU between, tanh at the end; 32
// channels at latent resolution narrowing to 16 at full resolution, so
// decoding a big image costs real memory. Unlike SD's VAE it has no
// GroupNorm or attention: every output pixel depends only on latents within
// about 2 latent pixels, which makes tiled decoding exact (see tiled-vae.ts).

const WEIGHT_SEED = 20261129;
const WIDTHS = [32, 32, 16, 16];

export function buildTinyVaeDecoder(version: string, floatType: "float32" | "float16" = "float32"): Uint8Array {
  const g = new GraphBuilder("atelier_tiny_vae_decoder", { floatType });
  const latent = g.input("latent_sample", "float", ["batch_size", 4, "latent_height", "latent_width"]);
  const l = new UnetLayers(g, WEIGHT_SEED);
  let x = l.silu(l.conv(latent, 4, WIDTHS[0]!, 3));
  for (let stage = 1; stage < WIDTHS.length; stage++) {
    const doubled = g.op("Resize", [x, "", g.constant([1, 1, 2, 2], [4], "float32")], { mode: { string: "nearest" } });
    x = l.silu(l.conv(doubled, WIDTHS[stage - 1]!, WIDTHS[stage]!, 3));
  }
  const image = g.op("Tanh", [l.conv(x, WIDTHS.at(-1)!, 3, 3)]);
  g.output(image, "sample", "float", ["batch_size", 3, "height", "width"]);
  return g.toBytes(version);
}
