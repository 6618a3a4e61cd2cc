import { assertFinite } from "./finite-check.ts";
import { planarToRgb8 } from "./image-pixels.ts";
import type { PlannedImage } from "./render-plan.ts";
import { compositeOutsideMask } from "./source-image.ts";
import { decodeTiled, type VaeTiling } from "./tiled-vae.ts";
import type { VaeDecoderModel } from "./vae-decoder-model.ts";
import type { VaeEncoderModel } from "./vae-encoder-model.ts";

// Pixels to latents and back through one model's VAE. The UNet works on
// latents scaled by the VAE's scaling_factor, so the factor is applied here,
// on both sides, and nowhere else.

/** What decoding needs of a planned image: its size, and for inpainting the source and mask. */
export type DecodeTarget = Pick<PlannedImage, "request" | "source" | "mask">;

/** pixels per latent cell on each axis */
export const VAE_DOWNSCALE = 8;

export class LatentCodec {
  // The all-grey image's latents per size, which 9-channel UNets get as "masked image" for renders without a mask.
  private readonly greyLatents = new Map<string, Promise<Float32Array>>();

  constructor(
    private readonly vaeEncoder: VaeEncoderModel | undefined,
    private readonly vaeDecoder: VaeDecoderModel,
    private readonly latentChannels: number,
    private readonly scalingFactor: number,
    /** decode in tiles above `abovePixels`; undefined: never */
    private readonly tiling: (VaeTiling & { abovePixels: number }) | undefined,
  ) {}

  /** Scaled latents of a planar [3,h,w] image in [-1, 1]; the model must have a VAE encoder. */
  async encode(planar: Float32Array, width: number, height: number): Promise<Float32Array> {
    const latents = await this.vaeEncoder!.encode(planar, width, height, this.latentChannels);
    return latents.map((x) => x * this.scalingFactor);
  }

  greyImage(width: number, height: number): Promise<Float32Array> {
    const key = `${width}x${height}`;
    let latents = this.greyLatents.get(key);
    if (!latents) {
      latents = this.encode(new Float32Array(3 * width * height), width, height);
      this.greyLatents.set(key, latents);
    }
    return latents;
  }

  /** An image's RGB8 pixels from its final latents. */
  decode(latents: Float32Array, image: DecodeTarget): Promise<Uint8Array> {
    return decodeLatents(this.vaeDecoder, this.scalingFactor, this.tiling, latents, image);
  }
}

/**
 * An image's RGB8 pixels from its final (scaled) latents through `vaeDecoder`;
 * the latent channel count follows from the latents' length and the size.
 */
export async function decodeLatents(
  vaeDecoder: VaeDecoderModel,
  scalingFactor: number,
  tiling: (VaeTiling & { abovePixels: number }) | undefined,
  latents: Float32Array,
  image: DecodeTarget,
): Promise<Uint8Array> {
  const { width, height } = image.request;
  const latentHeight = height / VAE_DOWNSCALE;
  const latentWidth = width / VAE_DOWNSCALE;
  const channels = latents.length / (latentHeight * latentWidth);
  const scaled = latents.map((x) => x / scalingFactor);
  const dims = [1, channels, latentHeight, latentWidth];
  const decoded =
    tiling && width * height > tiling.abovePixels
      ? await decodeTiled((tile, tileDims, w, h) => vaeDecoder.decode(tile, tileDims, w, h), scaled, channels, latentHeight, latentWidth, tiling)
      : await vaeDecoder.decode(scaled, dims, width, height);
  assertFinite(decoded, "vae_decoder output", "the VAE overflowed (fp16 VAEs such as SDXL's need the fp16-fix VAE or float32); nothing was written");
  const rgb = planarToRgb8(decoded, width, height);
  // Inpainting keeps the unmasked pixels exactly, as A1111's overlay does.
  return image.source && image.mask ? compositeOutsideMask(rgb, image.source, image.mask) : rgb;
}
