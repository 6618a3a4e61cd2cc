// What a worker does to rendered images before the agent gets them: the
// upscale a shard asks for, the CLIP scores, the safety verdict; and how a
// failure is reported. Both render worker threads use it: the render worker
// for renders it finishes itself (hires fix, refiner), the finish worker for
// the rest.
import { decodePng, encodePng, stampAtelierMark, Upscaler, upscaleForHires, type RenderResult } from "@atelier/diffusion";
import { ClipScoring } from "./clip-scoring.ts";
import type { ClipResult, FromWorker, RenderedImage, RenderJob } from "./render-protocol.ts";

/** The worker's options that post-processing needs. */
export interface PostprocessOptions {
  /** upscaler name -> folder (hires fix and upscale) */
  upscalers?: Record<string, string>;
  providers: string[];
  intraOpThreads: number;
  /** A CLIP model folder, loaded when a job first asks for scores. */
  clipModel?: string;
}

export class NotInstalledError extends Error {
  override name = "NotInstalledError";
}

// Errors that fail the same way on every try, on any agent: the item fails at
// once. A model or upscaler this agent lacks or cannot load is not among them:
// another agent's copy of that folder may be whole.
const PERMANENT = new Set(["PromptTooLongError", "ValidationError", "NonFiniteValuesError"]);

/** A failed request as the worker reports it. */
export function failureMessage(id: number, error: unknown): Extract<FromWorker, { type: "failed" }> {
  const err = error as Error;
  const cancelled = err.name === "AbortError";
  // A prompt over the token window, NaN latents (a broken model or an fp16 overflow), a model this agent lacks: the same every time.
  const retryable = !cancelled && !PERMANENT.has(err.name);
  return { type: "failed", id, error: err.message, retryable, cancelled };
}

export class Postprocess {
  private readonly clipScoring: ClipScoring | undefined;
  // Upscalers are small (an ESRGAN is ~70 MB): each stays loaded once used.
  private readonly upscalers = new Map<string, Promise<Upscaler>>();

  constructor(private readonly options: PostprocessOptions) {
    this.clipScoring = options.clipModel ? new ClipScoring({ dir: options.clipModel, providers: options.providers, intraOpThreads: options.intraOpThreads }) : undefined;
  }

  upscalerNamed(name: string): Promise<Upscaler> {
    let loading = this.upscalers.get(name);
    if (!loading) {
      const dir = this.options.upscalers?.[name];
      if (!dir) return Promise.reject(new NotInstalledError(`upscaler ${name} is not installed on this agent`));
      loading = Upscaler.load(dir, { providers: this.options.providers, intraOpThreads: this.options.intraOpThreads });
      loading.catch(() => this.upscalers.delete(name));
      this.upscalers.set(name, loading);
    }
    return loading;
  }

  /** The pipeline's results as the agent gets them: upscaled and scored when the jobs ask, with their verdicts. */
  async images(results: readonly RenderResult[], jobs: readonly RenderJob[]): Promise<RenderedImage[]> {
    const { upscale, watermark } = jobs[0]!;
    const images: RenderedImage[] = [];
    for (const result of results) {
      const image = upscale ? await this.upscaled(result.png, upscale, watermark === true) : { png: result.png.slice(), width: result.width, height: result.height };
      images.push({ ...image, nsfw: result.nsfw, ...(result.safetyChecked ? { safetyVerdict: result.nsfw ? ("flagged" as const) : ("passed" as const) } : {}), ...(result.attribution ? { attribution: result.attribution } : {}) });
    }
    const clip = jobs[0]!.clip;
    if (clip) {
      if (!this.clipScoring) throw new NotInstalledError("this agent has no CLIP model to score images with (start it with --clip-model)");
      for (const [k, image] of images.entries()) {
        const scored: { png: Uint8Array; clip: ClipResult } = await this.clipScoring.score(image.png, jobs[k]!.prompt, clip);
        images[k] = { ...image, ...scored };
      }
    }
    return images;
  }

  /**
   * The image upscaled by `scale` with the named upscaler (run until the
   * size is reached, then bicubic to the exact size), its text kept and A1111's
   * "Postprocess" keys added to `parameters`.
   */
  private async upscaled(png: Uint8Array, upscale: { model: string; scale: number }, watermark: boolean): Promise<{ png: Uint8Array; width: number; height: number }> {
    const upscaler = await this.upscalerNamed(upscale.model);
    const image = decodePng(png);
    let rgb = image.pixels;
    if (image.channels === 4) {
      rgb = new Uint8Array(image.width * image.height * 3);
      for (let k = 0; k < image.width * image.height; k++) rgb.set(image.pixels.subarray(4 * k, 4 * k + 3), 3 * k);
    }
    const target = { width: image.width * upscale.scale, height: image.height * upscale.scale };
    const out = await upscaleForHires(rgb, image.width, image.height, target, upscaler);
    const text = { ...image.text };
    if (text["parameters"] !== undefined) text["parameters"] += `, Postprocess upscale by: ${upscale.scale}, Postprocess upscaler: ${upscale.model}`;
    if (text["atelier"] !== undefined) {
      const provenance = JSON.parse(text["atelier"]) as Record<string, unknown>;
      text["atelier"] = JSON.stringify({ ...provenance, upscale: { model: upscale.model, scale: upscale.scale, width: target.width, height: target.height } });
    }
    const pixels = watermark ? stampAtelierMark(out, target.width, target.height) : out;
    return { png: encodePng(pixels, target.width, target.height, text), ...target };
  }
}
