import type { NoiseSource, Sampler } from "../samplers/sampler.ts";
import { assertFinite } from "./finite-check.ts";
import type { UnetExtras, UnetModel } from "./unet-model.ts";

// The denoising loop for a batch of compatible images (same size, sampler,
// steps and strength): one UNet call per step for all of them, classifier-
// free guidance in the same call as diffusers batches it:
//   sample = [x_1 .. x_B, x_1 .. x_B], text = [uncond_1 .. uncond_B, cond_1 .. cond_B]
// Everything else is per image (its own sampler state, noise stream and
// guidance scale), so a batched image is the image rendered alone, provided
// the UNet computes each batch row independently of the others.

export interface DenoiseItem {
  sampler: Sampler;
  stream: NoiseSource;
  /** starting latents [C,h,w] */
  latents: Float32Array;
  guidance: number;
  cond: Float32Array;
  /** negative-prompt embeddings; present exactly when the batch is guided */
  uncond?: Float32Array;
  /** 9-channel inpainting UNets: the mask [h,w] and masked-image latents [C,h,w] stacked after the latents */
  inpaintInput?: { mask: Float32Array; maskedLatents: Float32Array };
  /**
   * 4-channel UNets with a mask (diffusers' legacy inpainting): after every
   * step the kept area is replaced by the image noised to the next level.
   */
  latentBlend?: { mask: Float32Array; imageLatents: Float32Array; noise: Float32Array };
  /** LCM-distilled UNets: the guidance-scale embedding (such UNets run without CFG) */
  timestepCond?: Float32Array;
  /** SDXL UNets: pooled text embedding and size conditioning of the prompt, and of the negative prompt when guided */
  added?: { cond: AddedConditioning; uncond?: AddedConditioning };
}

export interface AddedConditioning {
  textEmbeds: Float32Array;
  timeIds: Float32Array;
}

export interface DenoiseShape {
  latentChannels: number;
  latentHeight: number;
  latentWidth: number;
  tokens: number;
  hiddenWidth: number;
}

export interface DenoiseControl {
  /** throws to stop (abort, close) before each UNet call */
  checkContinue(): void;
  onStep?: (step: number, steps: number) => void;
  /** extra UNet calls at some steps (keyword-contribution.ts), given what the main call saw and predicted */
  probe?: StepProbe;
}

export interface StepProbe {
  /** the wall time of each main UNet call */
  mainStep(ms: number): void;
  wants(step: number): boolean;
  /** each image's UNet input row and its conditional prediction at this step */
  measure(timestep: number, inputs: readonly Float32Array[], condPredictions: readonly Float32Array[], latentDims: [number, number, number]): Promise<void>;
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The UNet's input row for one image: its latents, plus mask and masked-image latents for inpainting UNets. */
function unetRow(item: DenoiseItem, scaled: Float32Array): Float32Array {
  return item.inpaintInput ? concat([scaled, item.inpaintInput.mask, item.inpaintInput.maskedLatents]) : scaled;
}

/** Classifier-free guidance: ε = ε_uncond + g·(ε_cond - ε_uncond). */
function guide(uncond: Float32Array, cond: Float32Array, guidance: number): Float32Array {
  const out = new Float32Array(cond.length);
  for (let k = 0; k < cond.length; k++) out[k] = uncond[k]! + guidance * (cond[k]! - uncond[k]!);
  return out;
}

function blendOutsideMask(latents: Float32Array, blend: NonNullable<DenoiseItem["latentBlend"]>, keep: Float32Array): Float32Array {
  const plane = blend.mask.length;
  return latents.map((x, k) => {
    const m = blend.mask[k % plane]!;
    return (1 - m) * keep[k]! + m * x;
  });
}

/** The rows' extra UNet inputs in the same order as the text rows. */
function batchExtras(items: readonly DenoiseItem[], guided: boolean): UnetExtras {
  const extras: UnetExtras = {};
  if (items.every((i) => i.timestepCond)) {
    const rows = items.map((i) => i.timestepCond!);
    extras.timestepCond = concat(guided ? [...rows, ...rows] : rows);
  }
  if (items.every((i) => i.added)) {
    const rows = guided ? [...items.map((i) => i.added!.uncond!), ...items.map((i) => i.added!.cond)] : items.map((i) => i.added!.cond);
    extras.textEmbeds = concat(rows.map((r) => r.textEmbeds));
    extras.timeIds = concat(rows.map((r) => r.timeIds));
  }
  return extras;
}

/** Runs every step for the batch and returns each image's final latents. */
export async function denoiseBatch(unet: UnetModel, items: readonly DenoiseItem[], shape: DenoiseShape, control: DenoiseControl): Promise<Float32Array[]> {
  const guided = items[0]!.uncond !== undefined;
  const timesteps = items[0]!.sampler.timesteps;
  const rows = guided ? 2 * items.length : items.length;
  const inputChannels = unet.inputChannels;
  const sampleDims = [rows, inputChannels, shape.latentHeight, shape.latentWidth];
  const hiddenDims = [rows, shape.tokens, shape.hiddenWidth];
  const hidden = concat(guided ? [...items.map((i) => i.uncond!), ...items.map((i) => i.cond)] : items.map((i) => i.cond));
  const extras = batchExtras(items, guided);
  const size = shape.latentChannels * shape.latentHeight * shape.latentWidth;
  const latents = items.map((i) => i.latents);

  for (let step = 0; step < timesteps.length; step++) {
    control.checkContinue();
    const inputs = items.map((item, j) => unetRow(item, item.sampler.scaleModelInput(latents[j]!, step)));
    const sample = concat(guided ? [...inputs, ...inputs] : inputs);
    const called = performance.now();
    const prediction = await unet.predict(sample, sampleDims, timesteps[step]!, hidden, hiddenDims, extras);
    control.probe?.mainStep(performance.now() - called);
    if (control.probe?.wants(step)) {
      const condRows = items.map((_, j) => (guided ? items.length + j : j));
      await control.probe.measure(timesteps[step]!, inputs, condRows.map((r) => prediction.subarray(r * size, (r + 1) * size)), [shape.latentChannels, shape.latentHeight, shape.latentWidth]);
    }
    for (let j = 0; j < items.length; j++) {
      const item = items[j]!;
      const condRow = guided ? items.length + j : j;
      const cond = prediction.subarray(condRow * size, (condRow + 1) * size);
      const output = guided ? guide(prediction.subarray(j * size, (j + 1) * size), cond, item.guidance) : cond;
      let next = item.sampler.step(output, step, latents[j]!, item.stream);
      if (item.latentBlend) {
        const { imageLatents, noise } = item.latentBlend;
        const keep = step < timesteps.length - 1 ? item.sampler.addNoise(imageLatents, noise, step + 1) : imageLatents;
        next = blendOutsideMask(next, item.latentBlend, keep);
      }
      assertFinite(
        next,
        `image ${j + 1} of ${items.length}: latents after step ${step + 1} of ${timesteps.length} (timestep ${timesteps[step]})`,
        "the UNet or the sampler produced NaN/Infinity (fp16 overflow, or a scheduler config the model was not trained with); nothing was written",
      );
      latents[j] = next;
    }
    control.onStep?.(step + 1, timesteps.length);
  }
  return latents;
}
