import { AbortError, ValidationError } from "../errors.ts";
import type { RenderRequest } from "../render-request.ts";
import { createSampler } from "../samplers/sampler-registry.ts";
import { baseStage, splitCutoff } from "../samplers/sampler-split.ts";
import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { ClipTokenizer } from "../tokenizer/clip-tokenizer.ts";
import { countPromptTokens } from "../tokenizer/prompt-tokens.ts";
import { detectModelArchitecture, type ModelArchitectureInfo } from "./model-architecture.ts";
import { type DenoiseItem, denoiseBatch } from "./denoise-batch.ts";
import { type Attribution, KeywordProbe, keywordRows } from "./keyword-contribution.ts";
import { startItem } from "./denoise-start.ts";
import { type HiresPass, renderWithHires } from "./hires-render.ts";
import { LatentCodec, VAE_DOWNSCALE } from "./latent-codec.ts";
import { type DenoisedBatch, type DenoisedImage, finishImage, type FinishModels } from "./image-finish.ts";
import { maxBatchWithin } from "./memory-estimate.ts";
import { type ModelDirectory, openModelDirectory, shortModelHash } from "./model-directory.ts";
import { type Components, newPartClocks, openComponents, type PartClocks, releaseComponents, type SessionPart } from "./pipeline-components.ts";
import { type PlannedImage, groupCompatible, planImages } from "./render-plan.ts";
import { PromptEncoder } from "./prompt-encoder.ts";
import { refinerCalls, refineLatents } from "./refiner-stage.ts";
import { resolveSessionSettings, resolveVaeTiling } from "./session-options.ts";
import { type ConditioningModel, textConditioning } from "./text-conditioning.ts";
import type { VaeTiling } from "./tiled-vae.ts";
import type { PipelineOptions, PipelineStats, RenderOptions, RenderResult } from "./pipeline-types.ts";
import { RunningCalls } from "./running-calls.ts";

export type { PipelineOptions, PipelineStats, RenderOptions, RenderResult } from "./pipeline-types.ts";

/**
 * A loaded Stable-Diffusion-style model: tokenizer, text encoder, UNet, VAE
 * and optional safety checker sessions. Renders may run concurrently.
 */
export class Pipeline {
  private readonly calls = new RunningCalls();
  private readonly counters = { images: 0, pngEncodeMs: 0, renderMs: 0 };
  private readonly promptEncoder: PromptEncoder;
  private readonly conditioning: ConditioningModel;
  private readonly latents: LatentCodec;
  private readonly schedule: NoiseSchedule;
  // Second passes of hires fixes, with the request the caller made (what the PNG text records).
  private readonly hiresPasses = new WeakMap<RenderRequest, HiresPass>();

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
    private readonly clocks: PartClocks,
    vaeTiling: (VaeTiling & { abovePixels: number }) | undefined,
  ) {
    const branches = tokenizers.map((tokenizer, i) => ({ tokenizer, encoder: components.textEncoders[i]! }));
    this.promptEncoder = new PromptEncoder(branches, components.unet.addedCond ? "sdxl" : "sd");
    this.conditioning = {
      encoder: this.promptEncoder,
      zerosForEmptyNegative: model.modelIndex["force_zeros_for_empty_prompt"] === true,
      addedCond: components.unet.addedCond,
    };
    this.latents = new LatentCodec(components.vaeEncoder, components.vaeDecoder, components.unet.latentChannels, model.vaeScalingFactor, vaeTiling);
    this.schedule = model.schedule;
  }

  static async load(modelDir: string, options: PipelineOptions = {}): Promise<Pipeline> {
    const settings = await resolveSessionSettings(options);
    const { providers } = settings;
    const vaeTiling = resolveVaeTiling(options);
    const model = await openModelDirectory(modelDir);
    const [architecture, tokenizers, modelHash] = await Promise.all([
      detectModelArchitecture(model.dir),
      Promise.all(model.textEncoders.map((t) => ClipTokenizer.load(t.tokenizerDir))),
      shortModelHash(model.unetPath),
    ]);
    const clocks = newPartClocks();
    return openComponents(
      model,
      architecture,
      tokenizers,
      settings,
      clocks,
      (components) => new Pipeline(model, architecture, modelHash, providers, tokenizers, components, clocks, vaeTiling),
    );
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
    const parts = Object.entries(this.clocks) as [SessionPart, { sessionRunMs: number; sessionRuns: number }][];
    return {
      ...this.counters,
      sessionRunMs: parts.reduce((sum, [, clock]) => sum + clock.sessionRunMs, 0),
      sessionRuns: parts.reduce((sum, [, clock]) => sum + clock.sessionRuns, 0),
      sessionRunMsByPart: Object.fromEntries(parts.map(([part, clock]) => [part, clock.sessionRunMs])) as Record<SessionPart, number>,
    };
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
    if (this.calls.closed) return Promise.reject(new Error(`pipeline ${this.name} is closed`));
    const run = requests.some((r) => r.hires)
      ? renderWithHires(requests, options.upscaler, (some) => this.renderAll(some, options), this.hiresPasses)
      : this.renderAll(requests, options);
    return this.calls.track(run);
  }

  /**
   * Stops new renders, lets running ones stop at their next step boundary
   * (they reject with AbortError), then releases the sessions. Idempotent.
   */
  close(): Promise<void> {
    return this.calls.close(() => releaseComponents(this.components));
  }

  private checkContinue(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new AbortError("render aborted", { cause: signal.reason });
    if (this.calls.closed) throw new AbortError(`pipeline ${this.name} was closed during the render`);
  }

  private async renderAll(requests: readonly RenderRequest[], options: RenderOptions): Promise<RenderResult[]> {
    const startedAt = performance.now();
    try {
      const results = new Array<RenderResult>(requests.length);
      for (const group of groupCompatible(await this.plan(requests, options))) {
        const { images, decoder } = await this.denoiseGroup(group, options);
        const models: FinishModels = { decode: (latents, image) => decoder.latents.decode(latents, image), safetyChecker: this.components.safetyChecker };
        for (const image of images) {
          const { result, pngEncodeMs } = await finishImage(image, models, this.finishContext, options);
          this.counters.pngEncodeMs += pngEncodeMs;
          this.counters.images++;
          results[image.plan.index] = { ...result, totalMs: performance.now() - startedAt };
        }
      }
      return results;
    } finally {
      this.counters.renderMs += performance.now() - startedAt;
    }
  }

  /**
   * The first half of renderBatch: plans and denoises the requests and
   * gives each image's final latents with what decoding and encoding it
   * need, for an ImageFinisher of this model to finish, on another thread if
   * the caller likes (the batch is plain data, which postMessage copies). A
   * hires fix decodes between its passes and a refined image is decoded by
   * the refiner's VAE, so requests with `hires` or `refinerStart` are
   * refused: renderBatch renders them.
   */
  denoise(requests: readonly RenderRequest[], options: Omit<RenderOptions, "flagged"> = {}): Promise<DenoisedBatch> {
    if (this.calls.closed) return Promise.reject(new Error(`pipeline ${this.name} is closed`));
    const refused = requests.flatMap((r, i) => (r.hires ? [`request ${i}: hires needs its first pass decoded; renderBatch renders it`] : r.refinerStart !== undefined ? [`request ${i}: refinerStart is decoded by the refiner's VAE; renderBatch renders it`] : []));
    if (refused.length > 0) return Promise.reject(new ValidationError(refused));
    const run = (async (): Promise<DenoisedBatch> => {
      const startedAt = performance.now();
      try {
        const images = new Array<DenoisedImage>(requests.length);
        for (const group of groupCompatible(await this.plan(requests, options))) {
          for (const image of (await this.denoiseGroup(group, options)).images) images[image.plan.index] = image;
        }
        return { ...this.finishContext, images };
      } finally {
        this.counters.renderMs += performance.now() - startedAt;
      }
    })();
    return this.calls.track(run);
  }

  /** What the PNG text of this model's images names. */
  private get finishContext(): { model: { name: string; hash: string }; providers: readonly string[] } {
    return { model: { name: this.name, hash: this.modelHash }, providers: this.providers };
  }

  private async plan(requests: readonly RenderRequest[], options: RenderOptions): Promise<PlannedImage[]> {
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
    return planned;
  }

  /** A group's images denoised (base and refiner stages), and the pipeline whose VAE decodes them. */
  private async denoiseGroup(group: readonly PlannedImage[], options: RenderOptions): Promise<{ images: DenoisedImage[]; decoder: Pipeline }> {
    const denoiseStartedAt = performance.now();
    const first = group[0]!;
    const { width, height } = first.request;
    const calls = createSampler(first.request.sampler, this.schedule, first.request.steps, first.strength ?? 1).timesteps.length;
    const refiner = first.request.refinerStart === undefined ? undefined : options.refiner!;
    const plan = ({ index, request, strength, source, mask }: PlannedImage) => ({ index, request, strength, source, mask });
    const text = (image: PlannedImage) => ({
      ...(image.request.refinerStart !== undefined && options.refiner ? { refiner: { name: options.refiner.name, hash: options.refiner.modelHash } } : {}),
      ...(this.hiresPasses.has(image.request) ? { hiresPass: this.hiresPasses.get(image.request)! } : {}),
    });
    if (calls === 0) {
      // Nothing to denoise (strength 0, or too low for one step): the source pixels themselves, not a lossy VAE round trip.
      const denoiseMs = performance.now() - denoiseStartedAt;
      return { images: group.map((image) => ({ plan: plan(image), pixels: image.source!.rgb, ...text(image), ...this.askedAttribution(image, undefined), denoiseMs })), decoder: refiner ?? this };
    }
    const shape = { latentChannels: this.components.unet.latentChannels, latentHeight: height / VAE_DOWNSCALE, latentWidth: width / VAE_DOWNSCALE };
    const cutoff = first.request.refinerStart === undefined ? undefined : splitCutoff(first.request.refinerStart, this.schedule.numTrainTimesteps);
    const start = { schedule: this.schedule, unet: this.components.unet, latents: this.latents };
    const items: DenoiseItem[] = [];
    let textShape = { tokens: 0, width: 0 };
    for (const image of group) {
      const conditioning = await textConditioning(image, this.conditioning);
      textShape = conditioning.text;
      const item = await startItem(image, shape, conditioning.cond, conditioning.uncond, start);
      if (conditioning.added) item.added = conditioning.added;
      if (cutoff !== undefined) item.sampler = baseStage(item.sampler, cutoff);
      items.push(item);
    }
    const baseCalls = items[0]!.sampler.timesteps.length;
    const totalCalls = baseCalls + (refiner && cutoff !== undefined ? refinerCalls(first.request, refiner.schedule, cutoff) : 0);
    const onStep = options.onStep;
    const probe = this.keywordProbe(group, items, textShape);
    const control = {
      checkContinue: () => this.checkContinue(options.signal),
      ...(onStep ? { onStep: (step: number) => onStep(step, totalCalls) } : {}),
      ...(probe.active ? { probe } : {}),
    };
    let latents = await denoiseBatch(this.components.unet, items, { ...shape, tokens: textShape.tokens, hiddenWidth: textShape.width }, control);
    const attributions = probe.results();
    this.checkContinue(options.signal);
    if (refiner && cutoff !== undefined) {
      const refinerControl = {
        checkContinue: () => {
          this.checkContinue(options.signal);
          refiner.checkContinue(options.signal);
        },
        ...(onStep ? { onStep: (step: number) => onStep(baseCalls + step, totalCalls) } : {}),
      };
      const refinerModel = { unet: refiner.components.unet, schedule: refiner.schedule, conditioning: refiner.conditioning };
      latents = await refineLatents(refinerModel, group, latents, items.map((i) => i.stream), cutoff, refinerControl);
      this.checkContinue(options.signal);
    }
    const denoiseMs = performance.now() - denoiseStartedAt;
    // A refined image is decoded with the refiner's VAE.
    return {
      images: group.map((image, j) => ({ plan: plan(image), latents: latents[j]!, ...text(image), ...this.askedAttribution(image, attributions.get(j)), denoiseMs })),
      decoder: refiner ?? this,
    };
  }

  /** The attribution an image asked for; asked for and nothing measured (no keyword in the prompt, or no step within the budget): all of it is the rest's. */
  private askedAttribution(image: PlannedImage, measured: Attribution | undefined): { attribution?: Attribution } {
    if (!image.request.attribution) return {};
    return { attribution: measured ?? { keywords: [], rest: 1, sampledSteps: 0, extraUnetMs: 0, overhead: 0 } };
  }

  /** The probe that measures the group's keywords (inactive when no image asks, or none has its keywords in its prompt). */
  private keywordProbe(group: readonly PlannedImage[], items: readonly DenoiseItem[], text: { tokens: number; width: number }): KeywordProbe {
    const window = this.tokenizers[0]!.maxLength;
    const requests = group.map((image) => {
      const asked = image.request.attribution;
      if (!asked) return undefined;
      const prompt = this.promptEncoder.tokens(image.request.prompt);
      return { ...asked, rows: asked.keywords.map((k) => keywordRows(prompt, this.promptEncoder.tokens(k.phrase), window)) };
    });
    return new KeywordProbe(this.components.unet, items, requests, { ...text, window }, items[0]!.sampler.timesteps.length);
  }
}
