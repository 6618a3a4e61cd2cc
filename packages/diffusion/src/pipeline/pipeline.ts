import { AbortError, ModelFormatError, ValidationError } from "../errors.ts";
import { gaussianNoise } from "../noise/gaussian-noise.ts";
import { encodePng } from "../png/png-encode.ts";
import { type RenderRequest, validateRenderRequest } from "../render-request.ts";
import { createSampler } from "../samplers/sampler-registry.ts";
import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { ClipTokenizer } from "../tokenizer/clip-tokenizer.ts";
import { formatA1111Parameters } from "./a1111-parameters.ts";
import { ClipTextEncoder } from "./clip-text-encoder.ts";
import { planarToRgb8 } from "./image-pixels.ts";
import { openModelDirectory, shortModelHash } from "./model-directory.ts";
import { checkProviders, createSession } from "./onnx-session.ts";
import { UnetModel } from "./unet-model.ts";
import { VaeDecoderModel } from "./vae-decoder-model.ts";

export interface PipelineOptions {
  /** onnxruntime execution providers in preference order; default ["cpu"] */
  providers?: string[];
  /** threads per operator; default 1 (agents run one pipeline per slot) */
  intraOpThreads?: number;
}

export interface RenderOptions {
  /** checked before every denoising step and before decoding */
  signal?: AbortSignal;
  /** called after each denoising step with (steps done, total steps) */
  onStep?: (step: number, steps: number) => void;
}

export interface RenderResult {
  png: Uint8Array;
  width: number;
  height: number;
  /** text encoding + denoising + VAE decoding, milliseconds */
  inferenceMs: number;
  /** the whole render call, including validation and PNG encoding, milliseconds */
  totalMs: number;
}

const VAE_DOWNSCALE = 8;

/**
 * A loaded Stable-Diffusion-style model: tokenizer, text encoder, UNet and
 * VAE decoder sessions. Renders may run concurrently on one pipeline.
 */
export class Pipeline {
  private closing: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  private constructor(
    /** model directory basename (A1111 "Model") */
    readonly name: string,
    /** first 10 hex digits of sha256(unet/model.onnx) (A1111 "Model hash") */
    readonly modelHash: string,
    private readonly tokenizer: ClipTokenizer,
    private readonly textEncoder: ClipTextEncoder,
    private readonly unet: UnetModel,
    private readonly vae: VaeDecoderModel,
    private readonly schedule: NoiseSchedule,
    private readonly vaeScalingFactor: number,
  ) {}

  static async load(modelDir: string, options: PipelineOptions = {}): Promise<Pipeline> {
    const settings = { providers: options.providers ?? ["cpu"], intraOpThreads: options.intraOpThreads ?? 1 };
    if (settings.providers.length === 0) throw new RangeError("providers must name at least one execution provider");
    if (!Number.isInteger(settings.intraOpThreads) || settings.intraOpThreads < 1) {
      throw new RangeError(`intraOpThreads must be a positive integer (got ${settings.intraOpThreads})`);
    }
    checkProviders(settings.providers);
    const model = await openModelDirectory(modelDir);
    const [tokenizer, modelHash] = await Promise.all([ClipTokenizer.load(model.tokenizerDir), shortModelHash(model.unetPath)]);
    // Sessions opened so far, released again if a later one fails.
    const opened: { release(): Promise<void> }[] = [];
    const open = async (path: string) => {
      const session = await createSession(path, settings);
      opened.push(session);
      return session;
    };
    try {
      const textEncoder = new ClipTextEncoder(await open(model.textEncoderPath));
      const unet = new UnetModel(await open(model.unetPath));
      const vae = new VaeDecoderModel(await open(model.vaeDecoderPath));
      const window = textEncoder.fixedSequenceLength;
      if (window !== undefined && window !== tokenizer.maxLength) {
        throw new ModelFormatError(`text_encoder takes ${window} tokens but the tokenizer pads to ${tokenizer.maxLength}`);
      }
      return new Pipeline(model.name, modelHash, tokenizer, textEncoder, unet, vae, model.schedule, model.vaeScalingFactor);
    } catch (error) {
      await Promise.allSettled(opened.map((session) => session.release()));
      throw error;
    }
  }

  /** Tokens the prompt takes in this model's window, start/end markers excluded. */
  countTokens(prompt: string): number {
    return this.tokenizer.countTokens(prompt);
  }

  /** Prompt tokens that fit the window (77 positions minus start and end markers for CLIP). */
  get maxPromptTokens(): number {
    return this.tokenizer.maxLength - 2;
  }

  render(req: RenderRequest, options: RenderOptions = {}): Promise<RenderResult> {
    if (this.closing) return Promise.reject(new Error(`pipeline ${this.name} is closed`));
    const run = this.renderOnce(req, options);
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
      await Promise.all([this.textEncoder.release(), this.unet.release(), this.vae.release()]);
    })();
    return this.closing;
  }

  private checkContinue(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new AbortError("render aborted", { cause: signal.reason });
    if (this.closing) throw new AbortError(`pipeline ${this.name} was closed during the render`);
  }

  private async renderOnce(req: RenderRequest, { signal, onStep }: RenderOptions): Promise<RenderResult> {
    const startedAt = performance.now();
    const issues = validateRenderRequest(req);
    if (issues.length > 0) throw new ValidationError(issues);
    this.checkContinue(signal);
    // diffusers' rule: guidance <= 1 means no unconditional pass at all.
    const guided = req.guidance > 1;
    const promptIds = this.tokenizer.encodeForModel(req.prompt);
    const negativeIds = guided ? this.tokenizer.encodeForModel(req.negativePrompt) : undefined;

    const inferenceStartedAt = performance.now();
    const hidden = await this.encodeText(negativeIds ? [negativeIds, promptIds] : [promptIds]);
    const sampler = createSampler(req.sampler, this.schedule, req.steps);
    const latentDims = [1, this.unet.latentChannels, req.height / VAE_DOWNSCALE, req.width / VAE_DOWNSCALE];
    const latentSize = latentDims.reduce((a, b) => a * b, 1);
    let latents: Float32Array = gaussianNoise(req.seed, latentSize).map((x) => x * sampler.initNoiseSigma);

    for (let i = 0; i < sampler.timesteps.length; i++) {
      this.checkContinue(signal);
      const input = sampler.scaleModelInput(latents, i);
      // One UNet call for both halves: [unconditional, conditional], as diffusers batches them.
      const batchInput = guided ? concat([input, input]) : input;
      const batchDims = [guided ? 2 : 1, ...latentDims.slice(1)];
      const prediction = await this.unet.predict(batchInput, batchDims, sampler.timesteps[i]!, hidden.data, hidden.dims);
      const noise = guided ? applyGuidance(prediction, latentSize, req.guidance) : prediction;
      latents = sampler.step(noise, i, latents);
      onStep?.(i + 1, sampler.timesteps.length);
    }
    this.checkContinue(signal);
    const scaled = latents.map((x) => x / this.vaeScalingFactor);
    const image = await this.vae.decode(scaled, latentDims, req.width, req.height);
    const inferenceMs = performance.now() - inferenceStartedAt;

    const parameters = formatA1111Parameters(req, { name: this.name, hash: this.modelHash });
    const png = encodePng(planarToRgb8(image, req.width, req.height), req.width, req.height, { parameters });
    return { png, width: req.width, height: req.height, inferenceMs, totalMs: performance.now() - startedAt };
  }

  // Prompts are encoded one at a time: many exports fix the text encoder's batch at 1.
  private async encodeText(prompts: number[][]): Promise<{ data: Float32Array; dims: number[] }> {
    const encoded = [];
    for (const ids of prompts) encoded.push(await this.textEncoder.encode(ids));
    const [, tokens, width] = encoded[0]!.dims;
    return { data: concat(encoded.map((e) => e.data)), dims: [prompts.length, tokens!, width!] };
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** ε = ε_uncond + g·(ε_cond - ε_uncond), from a [uncond, cond] batch. */
function applyGuidance(prediction: Float32Array, size: number, guidance: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const unconditional = prediction[i]!;
    out[i] = unconditional + guidance * (prediction[size + i]! - unconditional);
  }
  return out;
}
