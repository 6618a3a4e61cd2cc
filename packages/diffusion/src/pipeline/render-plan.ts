import { ValidationError } from "../errors.ts";
import { type RenderRequest, validateRenderRequest } from "../render-request.ts";
import { createSampler } from "../samplers/sampler-registry.ts";
import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";
import type { PromptTokens } from "../tokenizer/prompt-tokens.ts";
import type { PromptEncoder } from "./prompt-encoder.ts";
import { type InpaintMask, readInitImage, readMask, type SourceImage } from "./source-image.ts";

// Everything about a request that can be refused is checked here, for the
// whole batch, before any model runs: limits, token windows, images, and
// whether the sampler accepts the steps/strength.

/** diffusers' default strengths: StableDiffusionImg2ImgPipeline 0.8, StableDiffusionInpaintPipeline 1.0. */
const DEFAULT_IMG2IMG_STRENGTH = 0.8;
const DEFAULT_INPAINT_STRENGTH = 1;

export interface PlannedImage {
  /** position in the caller's list */
  index: number;
  request: RenderRequest;
  /** diffusers' rule: guidance > 1 runs the negative prompt as the unconditional half, except on UNets that take the guidance as an embedding */
  guided: boolean;
  prompt: PromptTokens;
  negative: PromptTokens | undefined;
  /** 75-token chunks the UNet sees for this image: prompt and negative prompt are padded to the longer */
  chunks: number;
  clipSkip: number;
  /** undefined for text-to-image */
  strength: number | undefined;
  source: SourceImage | undefined;
  mask: InpaintMask | undefined;
}

export interface PlanContext {
  encoder: PromptEncoder;
  schedule: NoiseSchedule;
  modelName: string;
  hasVaeEncoder: boolean;
  /** the UNet takes the guidance scale as `timestep_cond` (LCM-distilled) and runs without CFG */
  guidanceEmbedded: boolean;
  /** RenderOptions.refiner, for requests with refinerStart */
  refiner: { name: string; latentChannels: number } | undefined;
  latentChannels: number;
}

async function planOne(request: RenderRequest, index: number, context: PlanContext): Promise<PlannedImage> {
  const issues = validateRenderRequest(request);
  if (issues.length > 0) throw new ValidationError(issues);
  if (request.initImage && !context.hasVaeEncoder) {
    throw new ValidationError([`model ${context.modelName} has no vae_encoder/, which img2img and inpainting need (re-export it with optimum-cli)`]);
  }
  if (request.refinerStart !== undefined && !context.refiner) {
    throw new ValidationError([`refinerStart ${request.refinerStart} needs a refiner: pass the refiner model's pipeline as RenderOptions.refiner`]);
  }
  if (request.refinerStart !== undefined && context.refiner && context.refiner.latentChannels !== context.latentChannels) {
    throw new ValidationError([`refiner ${context.refiner.name} denoises ${context.refiner.latentChannels}-channel latents, model ${context.modelName} ${context.latentChannels}-channel ones`]);
  }
  const guided = request.guidance > 1 && !context.guidanceEmbedded;
  const prompt = context.encoder.tokens(request.prompt);
  const negative = guided ? context.encoder.tokens(request.negativePrompt) : undefined;
  const chunks = Math.max(prompt.chunks.length, negative?.chunks.length ?? 0);
  const clipSkip = request.clipSkip ?? 1;
  const clipSkipProblem = await context.encoder.clipSkipProblem(clipSkip);
  if (clipSkipProblem) throw new ValidationError([`clipSkip ${clipSkip} cannot run on model ${context.modelName}: ${clipSkipProblem}`]);
  const source = request.initImage ? readInitImage(request.initImage, request.width, request.height) : undefined;
  const mask = request.mask ? readMask(request.mask, request.width, request.height) : undefined;
  const strength = source ? (request.strength ?? (mask ? DEFAULT_INPAINT_STRENGTH : DEFAULT_IMG2IMG_STRENGTH)) : undefined;
  try {
    createSampler(request.sampler, context.schedule, request.steps, strength ?? 1);
  } catch (error) {
    if (error instanceof RangeError) throw new ValidationError([`${request.sampler}: ${error.message}`]);
    throw error;
  }
  return { index, request, guided, prompt, negative, chunks, clipSkip, strength, source, mask };
}

/** Plans every request or throws for the first bad one, naming it when there are several. */
export async function planImages(requests: readonly RenderRequest[], context: PlanContext): Promise<PlannedImage[]> {
  const planned: PlannedImage[] = [];
  for (const [index, request] of requests.entries()) {
    try {
      planned.push(await planOne(request, index, context));
    } catch (error) {
      if (error instanceof ValidationError && requests.length > 1) throw new ValidationError(error.issues.map((issue) => `request ${index}: ${issue}`));
      throw error;
    }
  }
  return planned;
}

/**
 * Images that can share UNet calls: same latent size, same timesteps, same
 * batch layout (guided or not, and the same number of prompt chunks, so no
 * image is padded for another's sake and each stays what it is alone).
 */
export function batchKey(image: PlannedImage): string {
  const { width, height, steps, sampler } = image.request;
  return [width, height, steps, sampler, image.strength ?? 1, image.guided, image.chunks, image.request.refinerStart ?? ""].join("|");
}

/** Compatible images in groups, in first-appearance order. */
export function groupCompatible(images: readonly PlannedImage[]): PlannedImage[][] {
  const groups = new Map<string, PlannedImage[]>();
  for (const image of images) {
    const key = batchKey(image);
    groups.set(key, [...(groups.get(key) ?? []), image]);
  }
  return [...groups.values()];
}
