import { createNoiseSource } from "../noise/noise-sources.ts";
import { createSampler } from "../samplers/sampler-registry.ts";
import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";
import type { DenoiseItem } from "./denoise-batch.ts";
import { guidanceScaleEmbedding } from "./guidance-embedding.ts";
import type { LatentCodec } from "./latent-codec.ts";
import type { PlannedImage } from "./render-plan.ts";
import { maskedPlanar } from "./source-image.ts";
import type { UnetModel } from "./unet-model.ts";

export interface LatentShape {
  latentChannels: number;
  latentHeight: number;
  latentWidth: number;
}

export interface StartContext {
  schedule: NoiseSchedule;
  unet: UnetModel;
  latents: LatentCodec;
}

/**
 * An image's sampler, noise stream and starting latents (the stream's first
 * draw is the initial noise), with what its UNet takes besides: the guidance
 * embedding for LCM UNets, mask and masked-image latents for inpainting
 * UNets, or the latent blend that other UNets inpaint with.
 */
export async function startItem(image: PlannedImage, shape: LatentShape, cond: Float32Array, uncond: Float32Array | undefined, context: StartContext): Promise<DenoiseItem> {
  const { schedule, unet, latents } = context;
  const { request, source, mask } = image;
  const sampler = createSampler(request.sampler, schedule, request.steps, image.strength ?? 1);
  const stream = createNoiseSource(request.noiseSource ?? "atelier", request.seed);
  const noise = stream.next(shape.latentChannels * shape.latentHeight * shape.latentWidth);
  const item: DenoiseItem = { sampler, stream, latents: noise, guidance: request.guidance, cond, ...(uncond ? { uncond } : {}) };
  const condDim = unet.timestepCondDim;
  if (condDim !== undefined) item.timestepCond = guidanceScaleEmbedding(request.guidance, condDim);
  const imageLatents = source ? await latents.encode(source.planar, request.width, request.height) : undefined;
  // diffusers' inpainting at full strength starts from pure noise; img2img always from the noised image.
  item.latents = imageLatents && !(mask && image.strength === 1) ? sampler.addNoise(imageLatents, noise, 0) : noise.map((x) => x * sampler.initNoiseSigma);
  if (unet.isInpainting) {
    const plane = shape.latentHeight * shape.latentWidth;
    item.inpaintInput =
      source && mask
        ? { mask: mask.latent, maskedLatents: await latents.encode(maskedPlanar(source, mask), request.width, request.height) }
        : { mask: new Float32Array(plane).fill(1), maskedLatents: await latents.greyImage(request.width, request.height) };
  } else if (mask && imageLatents) {
    item.latentBlend = { mask: mask.latent, imageLatents, noise };
  }
  return item;
}
