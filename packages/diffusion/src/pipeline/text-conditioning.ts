import type { AddedConditioning, DenoiseItem } from "./denoise-batch.ts";
import type { PromptEncoder } from "./prompt-encoder.ts";
import type { PlannedImage } from "./render-plan.ts";
import { sdxlTimeIds } from "./sdxl-conditioning.ts";
import type { UnetModel } from "./unet-model.ts";

/** What one image's UNet calls take from its prompts. */
export interface TextConditioning {
  cond: Float32Array;
  uncond: Float32Array | undefined;
  added: DenoiseItem["added"];
  text: { tokens: number; width: number };
}

export interface ConditioningModel {
  encoder: PromptEncoder;
  /** model_index.json's force_zeros_for_empty_prompt */
  zerosForEmptyNegative: boolean;
  /** the UNet's SDXL inputs (text_embeds, time_ids), if it takes them */
  addedCond: UnetModel["addedCond"];
}

/**
 * The text conditioning of one image: prompt and (when guided) negative
 * prompt, padded to the same chunks; SDXL UNets also get the pooled
 * embedding and time_ids of each. SDXL's force_zeros_for_empty_prompt
 * (model_index.json; diffusers' default for the base) makes an empty
 * negative prompt all zeros instead of the encoded "".
 */
export async function textConditioning(image: PlannedImage, model: ConditioningModel): Promise<TextConditioning> {
  const { encoder, addedCond } = model;
  const { clipSkip, chunks, request } = image;
  const cond = await encoder.padTo(await encoder.embed(request.prompt, clipSkip), chunks, clipSkip);
  const zeroNegative = request.negativePrompt === "" && model.zerosForEmptyNegative;
  const uncond = !image.guided
    ? undefined
    : zeroNegative
      ? encoder.zerosLike(cond)
      : await encoder.padTo(await encoder.embed(request.negativePrompt, clipSkip), chunks, clipSkip);
  let added: DenoiseItem["added"];
  if (addedCond) {
    const part = (embedding: typeof cond, negative: boolean): AddedConditioning => ({
      textEmbeds: embedding.pooled!,
      timeIds: sdxlTimeIds(request.width, request.height, addedCond.timeIdsWidth, negative),
    });
    added = { cond: part(cond, false), ...(uncond ? { uncond: part(uncond, true) } : {}) };
  }
  return { cond: cond.data, uncond: uncond?.data, added, text: { tokens: cond.tokens, width: cond.width } };
}
