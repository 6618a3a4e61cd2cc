import { AbortError } from "../errors.ts";
import type { HiresPass } from "./hires-render.ts";
import type { Attribution } from "./keyword-contribution.ts";
import { type DecodeTarget, decodeLatents } from "./latent-codec.ts";
import { openModelDirectory } from "./model-directory.ts";
import { createSession } from "./onnx-session.ts";
import { readClipImageSettings } from "./clip-image-processor.ts";
import { newPartClocks, type PartClocks } from "./pipeline-components.ts";
import type { PipelineOptions, RenderResult } from "./pipeline-types.ts";
import type { PlannedImage } from "./render-plan.ts";
import { encodeOutput } from "./render-output.ts";
import { SafetyCheckerModel } from "./safety-checker-model.ts";
import { resolveSessionSettings, resolveVaeTiling } from "./session-options.ts";
import { VaeDecoderModel } from "./vae-decoder-model.ts";
import { RunningCalls } from "./running-calls.ts";

// The stage after denoising: latents to pixels through the VAE decoder, the
// safety checker's verdict, and the PNG with its text. Pipeline.renderBatch
// runs it in line; Pipeline.denoise stops before it and hands back a
// DenoisedBatch, which an ImageFinisher of the same model finishes, on
// another thread if the caller likes, while the UNet denoises the next
// images. Both go through finishImage, so an image is the same bytes either way.

/** What finishing needs of a planned image: its request (size, PNG text), strength, and for inpainting its source and mask. */
export type FinishPlan = Pick<PlannedImage, "index" | "request" | "strength" | "source" | "mask">;

/** One image between denoising and decoding. Plain data: it can be posted to another thread. */
export interface DenoisedImage {
  plan: FinishPlan;
  /** final latents, scaled as the UNet works on them; absent when nothing was denoised and `pixels` are the source's */
  latents?: Float32Array;
  pixels?: Uint8Array;
  /** the refiner that finished it, for the PNG text */
  refiner?: { name: string; hash: string };
  /** set when the image is a hires fix's second pass, for the PNG text */
  hiresPass?: HiresPass;
  attribution?: Attribution;
  /** text encoding and denoising of the images it shared UNet calls with, milliseconds */
  denoiseMs: number;
}

/** The images of one Pipeline.denoise call, in request order, with the model that denoised them. */
export interface DenoisedBatch {
  /** the model that denoised them: named in the PNG text, and its VAE decodes them */
  model: { name: string; hash: string };
  /** the execution providers that ran the model, for the PNG text */
  providers: readonly string[];
  images: DenoisedImage[];
}

export interface FinishOptions {
  /** checked before each image is decoded */
  signal?: AbortSignal;
  /** see RenderOptions.flagged */
  flagged?: "black" | "keep";
}

/** The models that finish an image. */
export interface FinishModels {
  decode(latents: Float32Array, image: DecodeTarget): Promise<Uint8Array>;
  safetyChecker: SafetyCheckerModel | undefined;
}

/** Decodes, checks and encodes one image; `totalMs` is the caller's to set. `pngEncodeMs` is the encoding's share. */
export async function finishImage(
  denoised: DenoisedImage,
  models: FinishModels,
  context: { model: { name: string; hash: string }; providers: readonly string[] },
  options: FinishOptions,
): Promise<{ result: Omit<RenderResult, "totalMs">; pngEncodeMs: number }> {
  const decodeStartedAt = performance.now();
  const { plan } = denoised;
  const { width, height } = plan.request;
  const rgb = denoised.latents ? await models.decode(denoised.latents, plan) : denoised.pixels!;
  const nsfw = models.safetyChecker ? await models.safetyChecker.isFlagged(rgb, width, height) : false;
  // diffusers' safety-checker output: a flagged image becomes solid black.
  const pixels = nsfw && options.flagged !== "keep" ? new Uint8Array(rgb.length) : rgb;
  const inferenceMs = denoised.denoiseMs + performance.now() - decodeStartedAt;
  const encodeStartedAt = performance.now();
  const { png } = encodeOutput(plan, pixels, nsfw, {
    model: context.model,
    providers: context.providers,
    refiner: denoised.refiner,
    hiresPass: denoised.hiresPass,
    ...(denoised.attribution ? { attribution: denoised.attribution } : {}),
  });
  const pngEncodeMs = performance.now() - encodeStartedAt;
  return {
    result: {
      png, width, height, nsfw, safetyChecked: models.safetyChecker !== undefined,
      ...(denoised.attribution ? { attribution: denoised.attribution } : {}), inferenceMs,
    },
    pngEncodeMs,
  };
}

/** ImageFinisher's counters since load. */
export interface FinisherStats {
  images: number;
  /** time inside the VAE decoder's session.run */
  vaeDecoderMs: number;
  /** time inside the safety checker's session.run */
  safetyCheckerMs: number;
  pngEncodeMs: number;
}

/**
 * The VAE decoder and safety checker of one model folder, without its text
 * encoders and UNet: finishes the batches that Pipeline.denoise of the same
 * model gives. Finishes may run concurrently.
 */
export class ImageFinisher {
  private readonly calls = new RunningCalls();
  private readonly counters = { images: 0, pngEncodeMs: 0 };

  private constructor(
    /** model directory basename, as Pipeline.name */
    readonly name: string,
    private readonly models: FinishModels & { vaeDecoder: VaeDecoderModel },
    private readonly clocks: PartClocks,
  ) {}

  /** Opens `modelDir`'s vae_decoder (and safety_checker when it has one) with the session options a Pipeline takes. */
  static async load(modelDir: string, options: PipelineOptions = {}): Promise<ImageFinisher> {
    const settings = await resolveSessionSettings(options);
    const tiling = resolveVaeTiling(options);
    const model = await openModelDirectory(modelDir);
    const clocks = newPartClocks();
    const vaeDecoder = new VaeDecoderModel(await createSession(model.vaeDecoderPath, settings), clocks.vaeDecoder);
    try {
      const safetyChecker = model.safetyCheckerPath
        ? new SafetyCheckerModel(await createSession(model.safetyCheckerPath, settings), await readClipImageSettings(model.featureExtractorConfigPath), clocks.safetyChecker)
        : undefined;
      const decode = (latents: Float32Array, image: DecodeTarget) => decodeLatents(vaeDecoder, model.vaeScalingFactor, tiling, latents, image);
      return new ImageFinisher(model.name, { decode, safetyChecker, vaeDecoder }, clocks);
    } catch (error) {
      await vaeDecoder.release();
      throw error;
    }
  }

  get stats(): FinisherStats {
    return { ...this.counters, vaeDecoderMs: this.clocks.vaeDecoder.sessionRunMs, safetyCheckerMs: this.clocks.safetyChecker.sessionRunMs };
  }

  /** The batch's images as Pipeline.renderBatch would have given them, in order. */
  finish(batch: DenoisedBatch, options: FinishOptions = {}): Promise<RenderResult[]> {
    if (this.calls.closed) return Promise.reject(new Error(`image finisher ${this.name} is closed`));
    if (batch.model.name !== this.name) return Promise.reject(new Error(`the batch was denoised by model ${batch.model.name}; this finisher decodes model ${this.name}'s latents`));
    const run = this.finishAll(batch, options);
    return this.calls.track(run);
  }

  /** Lets running finishes end, then releases the sessions. Idempotent. */
  close(): Promise<void> {
    return this.calls.close(() => Promise.all([this.models.vaeDecoder.release(), this.models.safetyChecker?.release()]));
  }

  private async finishAll(batch: DenoisedBatch, options: FinishOptions): Promise<RenderResult[]> {
    const startedAt = performance.now();
    const results: RenderResult[] = [];
    for (const denoised of batch.images) {
      if (options.signal?.aborted) throw new AbortError("render aborted", { cause: options.signal.reason });
      const { result, pngEncodeMs } = await finishImage(denoised, this.models, batch, options);
      this.counters.pngEncodeMs += pngEncodeMs;
      this.counters.images++;
      results.push({ ...result, totalMs: performance.now() - startedAt });
    }
    return results;
  }
}
