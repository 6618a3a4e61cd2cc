import type { RenderRequest } from "../render-request.ts";
import { createSampler } from "../samplers/sampler-registry.ts";
import { refinerStage } from "../samplers/sampler-split.ts";
import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { type DenoiseItem, denoiseBatch } from "./denoise-batch.ts";
import { VAE_DOWNSCALE } from "./latent-codec.ts";
import type { PlannedImage } from "./render-plan.ts";
import { type ConditioningModel, textConditioning } from "./text-conditioning.ts";
import type { UnetModel } from "./unet-model.ts";

// The second stage of an SDXL base + refiner render (RenderOptions.refiner,
// RenderRequest.refinerStart). The base pipeline denoises down to the cutoff
// timestep with baseStage samplers; the refiner's models finish from there.
// The refiner goes on drawing noise from each image's seeded stream where
// the base left off.

/** What the refiner pipeline brings to its stage: its own UNet, schedule and text conditioning. */
export interface RefinerModel {
  unet: UnetModel;
  schedule: NoiseSchedule;
  conditioning: ConditioningModel;
}

/** UNet calls the refiner makes for `request` below `cutoff`, for progress counts. */
export function refinerCalls(request: RenderRequest, schedule: NoiseSchedule, cutoff: number): number {
  return refinerStage(createSampler(request.sampler, schedule, request.steps), cutoff).timesteps.length;
}

/**
 * The refiner's half of a two-stage render: the base's latents at the
 * cutoff timestep go on through the refiner's own conditioning, UNet and
 * N-step schedule (its calls below the cutoff), drawing further noise from
 * each image's stream, as diffusers' img2img pipeline does with
 * denoising_start (no noise is added to the handed-over latents).
 */
export async function refineLatents(
  refiner: RefinerModel,
  group: readonly PlannedImage[],
  latents: Float32Array[],
  streams: DenoiseItem["stream"][],
  cutoff: number,
  control: { checkContinue(): void; onStep?: (step: number) => void },
): Promise<Float32Array[]> {
  const first = group[0]!.request;
  const shape = { latentChannels: refiner.unet.latentChannels, latentHeight: first.height / VAE_DOWNSCALE, latentWidth: first.width / VAE_DOWNSCALE };
  const items: DenoiseItem[] = [];
  let text = { tokens: 0, width: 0 };
  for (const [j, image] of group.entries()) {
    const conditioning = await textConditioning(image, refiner.conditioning);
    text = conditioning.text;
    const sampler = refinerStage(createSampler(image.request.sampler, refiner.schedule, image.request.steps), cutoff);
    items.push({
      sampler,
      stream: streams[j]!,
      latents: latents[j]!,
      guidance: image.request.guidance,
      cond: conditioning.cond,
      ...(conditioning.uncond ? { uncond: conditioning.uncond } : {}),
      ...(conditioning.added ? { added: conditioning.added } : {}),
    });
  }
  if (items[0]!.sampler.timesteps.length === 0) return latents;
  return denoiseBatch(refiner.unet, items, { ...shape, tokens: text.tokens, hiddenWidth: text.width }, control);
}
