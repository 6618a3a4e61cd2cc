import { basename, dirname } from "node:path";
import { AbortError, ModelFormatError, ValidationError } from "../errors.ts";
import { createNoiseSource } from "../noise/noise-sources.ts";
import { encodePng } from "../png/png-encode.ts";
import { thumbnailPng } from "../png/thumbnail.ts";
import { type RenderRequest, validateRenderRequest } from "../render-request.ts";
import { decodePng } from "../png/png-decode.ts";
import type { Upscaler } from "../upscaler/upscaler-model.ts";
import { createSampler } from "../samplers/sampler-registry.ts";
import { baseStage, refinerStage, splitCutoff } from "../samplers/sampler-split.ts";
import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { ClipTokenizer } from "../tokenizer/clip-tokenizer.ts";
import { countPromptTokens } from "../tokenizer/prompt-tokens.ts";
import { formatA1111Parameters } from "./a1111-parameters.ts";
import { readClipImageSettings } from "./clip-image-processor.ts";
import { ClipTextEncoder } from "./clip-text-encoder.ts";
import { detectModelArchitecture, type ModelArchitectureInfo } from "./model-architecture.ts";
import { BUILTIN_HIRES_UPSCALER, type HiresFix, hiresSize, upscaleForHires } from "./hires-fix.ts";
import { type AddedConditioning, type DenoiseItem, denoiseBatch } from "./denoise-batch.ts";
import { guidanceScaleEmbedding } from "./guidance-embedding.ts";
import { resolveProviders } from "./execution-providers.ts";
import { assertFinite } from "./finite-check.ts";
import { planarToRgb8 } from "./image-pixels.ts";
import { maxBatchWithin } from "./memory-estimate.ts";
import { type ModelDirectory, openModelDirectory, shortModelHash } from "./model-directory.ts";
import { createSession, type GraphOptimizationLevel, type SessionClock, type SessionSettings } from "./onnx-session.ts";
import { type PlannedImage, groupCompatible, planImages } from "./render-plan.ts";
import { PromptEncoder } from "./prompt-encoder.ts";
import { formatProvenance, PROVENANCE_KEYWORD } from "./provenance.ts";
import { SafetyCheckerModel } from "./safety-checker-model.ts";
import { compositeOutsideMask, maskedPlanar } from "./source-image.ts";
import { sdxlTimeIds } from "./sdxl-conditioning.ts";
import { checkTiling, DEFAULT_VAE_TILING, decodeTiled, type VaeTiling } from "./tiled-vae.ts";
import { UnetModel } from "./unet-model.ts";
import { VaeDecoderModel } from "./vae-decoder-model.ts";
import { VaeEncoderModel } from "./vae-encoder-model.ts";

export interface PipelineOptions {
  /** onnxruntime execution providers in preference order, e.g. ["cuda", "cpu"]; default ["cpu"] */
  providers?: string[];
  /** skip listed providers that cannot run on this machine instead of failing (at least one must remain); default false */
  providerFallback?: boolean;
  /** threads per operator; default 1 (agents run one pipeline per slot) */
  intraOpThreads?: number;
  /** threads across independent operators; default 1 */
  interOpThreads?: number;
  /** onnxruntime graph optimisation; default "all" */
  graphOptimization?: GraphOptimizationLevel;
  /** longer side of RenderResult.thumbnail; default 128 */
  thumbnailMaxSidePx?: number;
  /**
   * VAE decoding in overlapping tiles for images above `abovePixels`
   * (default 1024·1024, so 2048² renders are tiled and SDXL's native size is
   * not), to bound the decoder's memory; see tiled-vae.ts. false: never.
   */
  vaeTiling?: false | (Partial<VaeTiling> & { abovePixels?: number });
}

export interface RenderOptions {
  /** checked before every denoising step and before decoding */
  signal?: AbortSignal;
  /**
   * the second stage of requests with `refinerStart` (an SDXL refiner): it
   * takes this pipeline's latents at that fraction of the schedule,
   * finishes denoising with its own text encoder and UNet and decodes with
   * its VAE. Must stay open for the render.
   */
  refiner?: Pipeline;
  /** the upscaler that requests' `hires.upscaler` names (by its folder name), for the hires fix */
  upscaler?: Upscaler;
  /** called after each denoising step with (steps done, UNet calls in this batch) */
  onStep?: (step: number, steps: number) => void;
}

export interface RenderResult {
  png: Uint8Array;
  /** RGB PNG, box-filtered to thumbnailMaxSidePx on the longer side, no text chunks */
  thumbnail: Uint8Array;
  width: number;
  height: number;
  /** the safety checker flagged the image; `png` is then solid black. Always false without safety_checker/ */
  nsfw: boolean;
  /** text encoding + denoising + VAE, milliseconds (shared by the images of one UNet batch) */
  inferenceMs: number;
  /** from the render call to this image's PNG, including validation and encoding, milliseconds */
  totalMs: number;
}

/** Cumulative counters since load, for overhead and throughput figures. */
export interface PipelineStats {
  images: number;
  /** time inside onnxruntime session.run, all models */
  sessionRunMs: number;
  sessionRuns: number;
  /** PNG and thumbnail encoding */
  pngEncodeMs: number;
  /** wall time of render/renderBatch calls */
  renderMs: number;
}

const VAE_DOWNSCALE = 8;
const DEFAULT_THUMBNAIL_SIDE_PX = 128;
const DEFAULT_VAE_TILING_ABOVE_PIXELS = 1024 * 1024;

interface Components {
  /** text_encoder (and text_encoder_2 for SDXL), in that order */
  textEncoders: ClipTextEncoder[];
  unet: UnetModel;
  vaeDecoder: VaeDecoderModel;
  vaeEncoder: VaeEncoderModel | undefined;
  safetyChecker: SafetyCheckerModel | undefined;
}

/**
 * A loaded Stable-Diffusion-style model: tokenizer, text encoder, UNet, VAE
 * and optional safety checker sessions. Renders may run concurrently.
 */
export class Pipeline {
  private closing: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly counters: PipelineStats = { images: 0, sessionRunMs: 0, sessionRuns: 0, pngEncodeMs: 0, renderMs: 0 };
  private readonly promptEncoder: PromptEncoder;
  private readonly schedule: NoiseSchedule;
  // The all-grey image's latents, which 9-channel UNets get as "masked image" for renders without a mask.
  private readonly greyLatents = new Map<string, Promise<Float32Array>>();
  // Second passes of hires fixes, with the request the caller made (what the PNG text records).
  private readonly hiresPasses = new WeakMap<RenderRequest, { first: RenderRequest; hires: HiresFix }>();

  private constructor(
    private readonly model: ModelDirectory,
    /** what the folder holds, from its configs (see model-architecture.ts) */
    readonly architecture: ModelArchitectureInfo,
    /** first 10 hex digits of sha256(unet/model.onnx) (A1111 "Model hash") */
    readonly modelHash: string,
    /** the execution providers the sessions run on, in preference order */
    readonly providers: readonly string[],
    private readonly tokenizers: ClipTokenizer[],
    private readonly components: Components,
    private readonly clock: SessionClock,
    private readonly thumbnailMaxSidePx: number,
    private readonly vaeTiling: (VaeTiling & { abovePixels: number }) | undefined,
  ) {
    const branches = tokenizers.map((tokenizer, i) => ({ tokenizer, encoder: components.textEncoders[i]! }));
    this.promptEncoder = new PromptEncoder(branches, components.unet.addedCond ? "sdxl" : "sd");
    this.schedule = model.schedule;
  }

  static async load(modelDir: string, options: PipelineOptions = {}): Promise<Pipeline> {
    const requested = options.providers ?? ["cpu"];
    if (requested.length === 0) throw new RangeError("providers must name at least one execution provider");
    for (const [name, value] of [["intraOpThreads", options.intraOpThreads ?? 1], ["interOpThreads", options.interOpThreads ?? 1], ["thumbnailMaxSidePx", options.thumbnailMaxSidePx ?? 1]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer (got ${value})`);
    }
    const { providers } = await resolveProviders(requested, options.providerFallback ?? false);
    const settings: SessionSettings = {
      providers,
      intraOpThreads: options.intraOpThreads ?? 1,
      interOpThreads: options.interOpThreads ?? 1,
      graphOptimization: options.graphOptimization ?? "all",
    };
    const vaeTiling = options.vaeTiling === false ? undefined : { ...DEFAULT_VAE_TILING, abovePixels: DEFAULT_VAE_TILING_ABOVE_PIXELS, ...options.vaeTiling };
    if (vaeTiling) checkTiling(vaeTiling);
    const model = await openModelDirectory(modelDir);
    const [architecture, tokenizers, modelHash] = await Promise.all([
      detectModelArchitecture(model.dir),
      Promise.all(model.textEncoders.map((t) => ClipTokenizer.load(t.tokenizerDir))),
      shortModelHash(model.unetPath),
    ]);
    const clock: SessionClock = { sessionRunMs: 0, sessionRuns: 0 };
    // Sessions opened so far, released again if a later one fails.
    const opened: { release(): Promise<void> }[] = [];
    const open = async (path: string) => {
      const session = await createSession(path, settings);
      opened.push(session);
      return session;
    };
    try {
      const components: Components = {
        textEncoders: await model.textEncoders.reduce<Promise<ClipTextEncoder[]>>(
          async (done, t) => [...(await done), new ClipTextEncoder(await open(t.path), clock, t.path)],
          Promise.resolve([]),
        ),
        unet: new UnetModel(await open(model.unetPath), clock, model.unetConfig),
        vaeDecoder: new VaeDecoderModel(await open(model.vaeDecoderPath), clock),
        vaeEncoder: model.vaeEncoderPath ? new VaeEncoderModel(await open(model.vaeEncoderPath), clock) : undefined,
        safetyChecker: model.safetyCheckerPath
          ? new SafetyCheckerModel(await open(model.safetyCheckerPath), await readClipImageSettings(model.featureExtractorConfigPath), clock)
          : undefined,
      };
      for (const [i, encoder] of components.textEncoders.entries()) {
        const window = encoder.fixedSequenceLength;
        if (window !== undefined && window !== tokenizers[i]!.maxLength) {
          throw new ModelFormatError(`${basename(dirname(model.textEncoders[i]!.path))} takes ${window} tokens but its tokenizer pads to ${tokenizers[i]!.maxLength}`);
        }
      }
      const sdxl = architecture.family === "sdxl" || architecture.family === "sdxl-refiner";
      if (sdxl !== (components.unet.addedCond !== undefined)) {
        throw new ModelFormatError(
          sdxl
            ? "the folder has SDXL's text_encoder_2/ but its unet takes no text_embeds/time_ids"
            : "unet takes text_embeds/time_ids (SDXL) but the folder has no text_encoder_2/ (export the whole SDXL pipeline with optimum-cli)",
        );
      }
      if (components.unet.isInpainting && !components.vaeEncoder) {
        throw new ModelFormatError(`unet takes ${components.unet.inputChannels} channels (inpainting) but the model has no vae_encoder/`);
      }
      return new Pipeline(model, architecture, modelHash, providers, tokenizers, components, clock, options.thumbnailMaxSidePx ?? DEFAULT_THUMBNAIL_SIDE_PX, vaeTiling);
    } catch (error) {
      await Promise.allSettled(opened.map((session) => session.release()));
      throw error;
    }
  }

  /** model directory basename (A1111 "Model") */
  get name(): string {
    return this.model.name;
  }

  /** bytes of the model's ONNX files, which stay loaded while the pipeline is open */
  get residentBytes(): number {
    return this.model.weightBytes;
  }

  /** the UNet is a 9-channel inpainting export; other models inpaint by blending latents outside the mask */
  get isInpaintingModel(): boolean {
    return this.components.unet.isInpainting;
  }

  get stats(): PipelineStats {
    return { ...this.counters, sessionRunMs: this.clock.sessionRunMs, sessionRuns: this.clock.sessionRuns };
  }

  /** Tokens the prompt takes (emphasis syntax parsed), start/end markers excluded; above maxPromptTokens it is encoded in several chunks. */
  countTokens(prompt: string): number {
    return countPromptTokens(this.tokenizers[0]!, prompt);
  }

  /** Prompt tokens per chunk: the window (77 positions for CLIP) minus start and end markers. */
  get maxPromptTokens(): number {
    return this.tokenizers[0]!.maxLength - 2;
  }

  /** width = height the model was trained at (1024 for SDXL, 512 for SD 1.x): a caller's default size */
  get defaultSizePx(): number {
    return this.architecture.defaultSizePx;
  }

  /**
   * The largest number of width x height images to pass to one renderBatch
   * call within `memoryBudgetBytes`, from a coarse estimate of the UNet's
   * activations (see memory-estimate.ts); 0 when not even one fits.
   */
  maxBatchFor(width: number, height: number, memoryBudgetBytes: number, options: { guided?: boolean } = {}): number {
    const elementBytes = this.components.unet.elementBytes;
    return maxBatchWithin(memoryBudgetBytes, this.residentBytes, { width, height, elementBytes }, options.guided ?? true);
  }

  render(req: RenderRequest, options: RenderOptions = {}): Promise<RenderResult> {
    return this.renderBatch([req], options).then((results) => results[0]!);
  }

  /**
   * Renders several requests; compatible ones (same size, sampler, steps,
   * strength and guided-or-not) share each UNet call, and every image comes
   * out byte-identical to rendering it alone. Results are in request order.
   * Any invalid request rejects the whole call before work starts.
   */
  renderBatch(requests: readonly RenderRequest[], options: RenderOptions = {}): Promise<RenderResult[]> {
    if (this.closing) return Promise.reject(new Error(`pipeline ${this.name} is closed`));
    const run = requests.some((r) => r.hires) ? this.renderWithHires(requests, options) : this.renderAll(requests, options);
    this.inFlight.add(run);
    const forget = () => this.inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }

  /**
   * Stops new renders, lets running ones stop at their next step boundary
   * (they reject with AbortError), then releases the sessions. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.inFlight]);
      const { textEncoders, unet, vaeDecoder, vaeEncoder, safetyChecker } = this.components;
      await Promise.all([...textEncoders.map((t) => t.release()), unet.release(), vaeDecoder.release(), vaeEncoder?.release(), safetyChecker?.release()]);
    })();
    return this.closing;
  }

  private checkContinue(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new AbortError("render aborted", { cause: signal.reason });
    if (this.closing) throw new AbortError(`pipeline ${this.name} was closed during the render`);
  }

  /** Requests without hires fix go through one renderAll; each hires request is two passes of its own. */
  private async renderWithHires(requests: readonly RenderRequest[], options: RenderOptions): Promise<RenderResult[]> {
    const results = new Array<RenderResult>(requests.length);
    const plain = requests.flatMap((r, i) => (r.hires ? [] : [i]));
    for (const [request, index] of requests.map((r, i) => [r, i] as const)) {
      const issues = validateRenderRequest(request);
      if (issues.length > 0) throw new ValidationError(requests.length > 1 ? issues.map((issue) => `request ${index}: ${issue}`) : issues);
      const name = request.hires?.upscaler;
      if (name !== undefined && name !== BUILTIN_HIRES_UPSCALER && name !== options.upscaler?.name) {
        throw new ValidationError([`hires.upscaler ${JSON.stringify(name)} is neither "${BUILTIN_HIRES_UPSCALER}" nor the upscaler passed in RenderOptions.upscaler (${options.upscaler ? JSON.stringify(options.upscaler.name) : "none"})`]);
      }
    }
    const plainResults = plain.length > 0 ? await this.renderAll(plain.map((i) => requests[i]!), options) : [];
    plain.forEach((i, k) => (results[i] = plainResults[k]!));
    for (const [index, request] of requests.entries()) {
      const hires = request.hires;
      if (!hires) continue;
      const { hires: _, ...firstRequest } = request;
      const [first] = await this.renderAll([firstRequest], options);
      const decoded = decodePng(first!.png);
      const target = hiresSize(request.width, request.height, hires.scale);
      const upscaler = hires.upscaler === BUILTIN_HIRES_UPSCALER ? undefined : options.upscaler;
      const upscaled = await upscaleForHires(decoded.pixels, decoded.width, decoded.height, target, upscaler);
      const second: RenderRequest = { ...firstRequest, ...target, initImage: encodePng(upscaled, target.width, target.height), strength: hires.denoise, steps: hires.steps ?? request.steps };
      this.hiresPasses.set(second, { first: request, hires });
      const [result] = await this.renderAll([second], options);
      results[index] = result!;
    }
    return results;
  }

  private async renderAll(requests: readonly RenderRequest[], options: RenderOptions): Promise<RenderResult[]> {
    const startedAt = performance.now();
    try {
      if (requests.length === 0) return [];
      const planned = await planImages(requests, {
        encoder: this.promptEncoder,
        schedule: this.schedule,
        modelName: this.name,
        hasVaeEncoder: this.components.vaeEncoder !== undefined,
        guidanceEmbedded: this.components.unet.timestepCondDim !== undefined,
        refiner: options.refiner ? { name: options.refiner.name, latentChannels: options.refiner.components.unet.latentChannels } : undefined,
        latentChannels: this.components.unet.latentChannels,
      });
      this.checkContinue(options.signal);
      const results = new Array<RenderResult>(requests.length);
      for (const group of groupCompatible(planned)) {
        for (const [index, result] of await this.renderGroup(group, options, startedAt)) results[index] = result;
      }
      return results;
    } finally {
      this.counters.renderMs += performance.now() - startedAt;
    }
  }

  private async renderGroup(group: readonly PlannedImage[], options: RenderOptions, startedAt: number): Promise<[number, RenderResult][]> {
    const inferenceStartedAt = performance.now();
    const first = group[0]!;
    const { width, height } = first.request;
    const calls = createSampler(first.request.sampler, this.schedule, first.request.steps, first.strength ?? 1).timesteps.length;
    let images: Uint8Array[];
    if (calls === 0) {
      // Nothing to denoise (strength 0, or too low for one step): the source pixels themselves, not a lossy VAE round trip.
      images = group.map((image) => image.source!.rgb);
    } else {
      const shape = { latentChannels: this.components.unet.latentChannels, latentHeight: height / VAE_DOWNSCALE, latentWidth: width / VAE_DOWNSCALE };
      const refiner = first.request.refinerStart === undefined ? undefined : options.refiner!;
      const cutoff = first.request.refinerStart === undefined ? undefined : splitCutoff(first.request.refinerStart, this.schedule.numTrainTimesteps);
      const items: DenoiseItem[] = [];
      let text = { tokens: 0, width: 0 };
      for (const image of group) {
        const conditioning = await this.conditioning(image);
        text = conditioning.text;
        const item = await this.startItem(image, shape, conditioning.cond, conditioning.uncond);
        if (conditioning.added) item.added = conditioning.added;
        if (cutoff !== undefined) item.sampler = baseStage(item.sampler, cutoff);
        items.push(item);
      }
      const baseCalls = items[0]!.sampler.timesteps.length;
      const refinerCalls = refiner && cutoff !== undefined ? refinerStage(createSampler(first.request.sampler, refiner.schedule, first.request.steps), cutoff).timesteps.length : 0;
      const onStep = options.onStep;
      const control = { checkContinue: () => this.checkContinue(options.signal), ...(onStep ? { onStep: (step: number) => onStep(step, baseCalls + refinerCalls) } : {}) };
      let latents = await denoiseBatch(this.components.unet, items, { ...shape, tokens: text.tokens, hiddenWidth: text.width }, control);
      this.checkContinue(options.signal);
      if (refiner && cutoff !== undefined) {
        const refinerControl = {
          checkContinue: () => {
            this.checkContinue(options.signal);
            refiner.checkContinue(options.signal);
          },
          ...(onStep ? { onStep: (step: number) => onStep(baseCalls + step, baseCalls + refinerCalls) } : {}),
        };
        latents = await refiner.refineLatents(group, latents, items.map((i) => i.stream), cutoff, refinerControl);
        this.checkContinue(options.signal);
      }
      const decoder = refiner ?? this;
      images = [];
      for (const [j, image] of group.entries()) images.push(await decoder.decode(latents[j]!, image));
    }
    const out: [number, RenderResult][] = [];
    for (const [j, image] of group.entries()) {
      const rgb = images[j]!;
      const nsfw = this.components.safetyChecker ? await this.components.safetyChecker.isFlagged(rgb, width, height) : false;
      const refiner = image.request.refinerStart === undefined ? undefined : options.refiner;
      // diffusers' safety checker output: a flagged image becomes solid black.
      const pixels = nsfw ? new Uint8Array(rgb.length) : rgb;
      const inferenceMs = performance.now() - inferenceStartedAt;
      out.push([image.index, { ...this.encode(image, pixels, nsfw, refiner), width, height, nsfw, inferenceMs, totalMs: performance.now() - startedAt }]);
      this.counters.images++;
    }
    return out;
  }

  /**
   * The text conditioning of one image: prompt and (when guided) negative
   * prompt, padded to the same chunks; SDXL UNets also get the pooled
   * embedding and time_ids of each. SDXL's force_zeros_for_empty_prompt
   * (model_index.json; diffusers' default for the base) makes an empty
   * negative prompt all zeros instead of the encoded "".
   */
  private async conditioning(image: PlannedImage): Promise<{
    cond: Float32Array;
    uncond: Float32Array | undefined;
    added: DenoiseItem["added"];
    text: { tokens: number; width: number };
  }> {
    const { clipSkip, chunks, request } = image;
    const cond = await this.promptEncoder.padTo(await this.promptEncoder.embed(request.prompt, clipSkip), chunks, clipSkip);
    const zeroNegative = request.negativePrompt === "" && this.model.modelIndex["force_zeros_for_empty_prompt"] === true;
    const uncond = !image.guided
      ? undefined
      : zeroNegative
        ? this.promptEncoder.zerosLike(cond)
        : await this.promptEncoder.padTo(await this.promptEncoder.embed(request.negativePrompt, clipSkip), chunks, clipSkip);
    const addedCond = this.components.unet.addedCond;
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

  /**
   * The refiner's half of a two-stage render: the base's latents at the
   * cutoff timestep go on through this pipeline's own conditioning, UNet and
   * N-step schedule (its calls below the cutoff), drawing further noise from
   * each image's stream, as diffusers' img2img pipeline does with
   * denoising_start (no noise is added to the handed-over latents).
   */
  private async refineLatents(
    group: readonly PlannedImage[],
    latents: Float32Array[],
    streams: DenoiseItem["stream"][],
    cutoff: number,
    control: { checkContinue(): void; onStep?: (step: number) => void },
  ): Promise<Float32Array[]> {
    const first = group[0]!.request;
    const shape = { latentChannels: this.components.unet.latentChannels, latentHeight: first.height / VAE_DOWNSCALE, latentWidth: first.width / VAE_DOWNSCALE };
    const items: DenoiseItem[] = [];
    let text = { tokens: 0, width: 0 };
    for (const [j, image] of group.entries()) {
      const conditioning = await this.conditioning(image);
      text = conditioning.text;
      const sampler = refinerStage(createSampler(image.request.sampler, this.schedule, image.request.steps), cutoff);
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
    return denoiseBatch(this.components.unet, items, { ...shape, tokens: text.tokens, hiddenWidth: text.width }, control);
  }

  /** An image's sampler, noise stream and starting latents (the stream's first draw is the initial noise). */
  private async startItem(image: PlannedImage, shape: { latentChannels: number; latentHeight: number; latentWidth: number }, cond: Float32Array, uncond: Float32Array | undefined): Promise<DenoiseItem> {
    const { request, source, mask } = image;
    const sampler = createSampler(request.sampler, this.schedule, request.steps, image.strength ?? 1);
    const stream = createNoiseSource(request.noiseSource ?? "atelier", request.seed);
    const noise = stream.next(shape.latentChannels * shape.latentHeight * shape.latentWidth);
    const item: DenoiseItem = { sampler, stream, latents: noise, guidance: request.guidance, cond, ...(uncond ? { uncond } : {}) };
    const condDim = this.components.unet.timestepCondDim;
    if (condDim !== undefined) item.timestepCond = guidanceScaleEmbedding(request.guidance, condDim);
    const imageLatents = source ? await this.encodeImage(source.planar, request.width, request.height) : undefined;
    // diffusers' inpainting at full strength starts from pure noise; img2img always from the noised image.
    item.latents = imageLatents && !(mask && image.strength === 1) ? sampler.addNoise(imageLatents, noise, 0) : noise.map((x) => x * sampler.initNoiseSigma);
    if (this.components.unet.isInpainting) {
      const plane = shape.latentHeight * shape.latentWidth;
      item.inpaintInput =
        source && mask
          ? { mask: mask.latent, maskedLatents: await this.encodeImage(maskedPlanar(source, mask), request.width, request.height) }
          : { mask: new Float32Array(plane).fill(1), maskedLatents: await this.greyImageLatents(request.width, request.height) };
    } else if (mask && imageLatents) {
      item.latentBlend = { mask: mask.latent, imageLatents, noise };
    }
    return item;
  }

  private async encodeImage(planar: Float32Array, width: number, height: number): Promise<Float32Array> {
    const latents = await this.components.vaeEncoder!.encode(planar, width, height, this.components.unet.latentChannels);
    return latents.map((x) => x * this.model.vaeScalingFactor);
  }

  private greyImageLatents(width: number, height: number): Promise<Float32Array> {
    const key = `${width}x${height}`;
    let latents = this.greyLatents.get(key);
    if (!latents) {
      latents = this.encodeImage(new Float32Array(3 * width * height), width, height);
      this.greyLatents.set(key, latents);
    }
    return latents;
  }

  private async decode(latents: Float32Array, image: PlannedImage): Promise<Uint8Array> {
    const { width, height } = image.request;
    const scaled = latents.map((x) => x / this.model.vaeScalingFactor);
    const dims = [1, this.components.unet.latentChannels, height / VAE_DOWNSCALE, width / VAE_DOWNSCALE];
    const decoder = this.components.vaeDecoder;
    const decoded =
      this.vaeTiling && width * height > this.vaeTiling.abovePixels
        ? await decodeTiled((tile, tileDims, w, h) => decoder.decode(tile, tileDims, w, h), scaled, dims[1]!, dims[2]!, dims[3]!, this.vaeTiling)
        : await decoder.decode(scaled, dims, width, height);
    assertFinite(decoded, "vae_decoder output", "the VAE overflowed (fp16 VAEs such as SDXL's need the fp16-fix VAE or float32); nothing was written");
    const rgb = planarToRgb8(decoded, width, height);
    // Inpainting keeps the unmasked pixels exactly, as A1111's overlay does.
    return image.source && image.mask ? compositeOutsideMask(rgb, image.source, image.mask) : rgb;
  }

  private encode(image: PlannedImage, rgb: Uint8Array, nsfw: boolean, refiner: Pipeline | undefined): { png: Uint8Array; thumbnail: Uint8Array } {
    const encodeStartedAt = performance.now();
    const { request } = image;
    const refinerModel = refiner ? { name: refiner.name, hash: refiner.modelHash } : undefined;
    const hiresPass = this.hiresPasses.get(request);
    const parameters = hiresPass
      ? formatA1111Parameters(hiresPass.first, { name: this.name, hash: this.modelHash }, image.strength, undefined, hiresPass.hires)
      : formatA1111Parameters(request, { name: this.name, hash: this.modelHash }, image.strength, refinerModel);
    const provenance = formatProvenance(request, {
      model: this.name,
      modelHash: this.modelHash,
      providers: this.providers,
      strength: image.strength,
      inpainting: image.mask !== undefined,
      nsfw,
      ...(refinerModel ? { refiner: refinerModel } : {}),
      ...(hiresPass ? { hires: { ...hiresPass.hires, firstPassWidth: hiresPass.first.width, firstPassHeight: hiresPass.first.height } } : {}),
    });
    const png = encodePng(rgb, request.width, request.height, { parameters, [PROVENANCE_KEYWORD]: provenance });
    const thumbnail = thumbnailPng(rgb, request.width, request.height, this.thumbnailMaxSidePx);
    this.counters.pngEncodeMs += performance.now() - encodeStartedAt;
    return { png, thumbnail };
  }
}
