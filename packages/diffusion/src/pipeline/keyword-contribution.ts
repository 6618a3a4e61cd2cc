import type { PromptTokens } from "../tokenizer/prompt-tokens.ts";
import type { DenoiseItem, StepProbe } from "./denoise-batch.ts";
import type { UnetExtras, UnetModel } from "./unet-model.ts";

// How much of a picture each keyword of its prompt drives, measured from the
// model: at a few sampled denoising steps the UNet runs again with each
// keyword ablated (its tokens' rows of the text conditioning replaced by a
// padding row), and the map of |Δε| between the full and the ablated
// prediction, averaged over latent channels, says where and how strongly the
// keyword acts. Per step:
//   threshold  = THRESHOLD_OF_SPREAD × the largest |Δε| of any keyword there
//   area_k     = share of latent pixels where keyword k's |Δε| > threshold
//   intensity_k = mean |Δε| of k over those pixels (ε units)
//   each pixel counts once: split between the keywords above threshold there
//   in proportion to their |Δε|, or to the rest of the prompt when none is,
// so the keywords' contributions and the rest's share sum to 1. Figures are
// averaged over the sampled steps. The ablated rows of every image of a
// batch go through the UNet in one call per sampled step.

/** A pixel is driven by a keyword where its |Δε| exceeds this share of the step's largest. */
export const THRESHOLD_OF_SPREAD = 0.1;
const DEFAULT_SAMPLE_STEPS = 3;
const DEFAULT_MAX_OVERHEAD = 1;

export interface AttributionRequest {
  /** Phrases to measure; `id` is the caller's and comes back with the figures. */
  keywords: { id: string; phrase: string }[];
  /** Denoising steps sampled, spread over the schedule (default 3). */
  sampleSteps?: number;
  /**
   * The most extra UNet time, as a share of the render's own denoising
   * (default 1: as much again). Sampled steps that would go past it are
   * skipped, and fewer are reported.
   */
  maxOverhead?: number;
}

export interface KeywordContribution {
  id: string;
  phrase: string;
  contribution: number;
  area: number;
  intensity: number;
}

export interface Attribution {
  /** Keywords found in the prompt, in request order; phrases not in the prompt are left out. */
  keywords: KeywordContribution[];
  /** The share of the picture no keyword drives: keywords' contributions + rest = 1. */
  rest: number;
  sampledSteps: number;
  /** Wall time of the extra UNet calls (this image's share of them), and its ratio to the image's own denoising time. */
  extraUnetMs: number;
  overhead: number;
}

/** Where each phrase's tokens sit in the prompt's conditioning rows (chunk · window + position); phrases not found have none. */
export function keywordRows(prompt: PromptTokens, phrase: PromptTokens, window: number): number[] {
  const first = phrase.chunks[0];
  if (!first) return [];
  // The phrase's own ids: between its start marker and its end marker.
  const needle = first.ids.slice(1, 1 + phrase.count);
  if (needle.length === 0) return [];
  const rows: number[] = [];
  prompt.chunks.forEach((chunk, c) => {
    for (let p = 1; p + needle.length <= chunk.ids.length; p++) {
      if (needle.every((id, k) => chunk.ids[p + k] === id)) for (let k = 0; k < needle.length; k++) rows.push(c * window + p + k);
    }
  });
  return rows;
}

/** The steps sampled among `steps`: evenly spread, each in the middle of its stretch. */
export function sampledSteps(steps: number, samples: number): number[] {
  const count = Math.max(0, Math.min(steps, samples));
  return [...new Set(Array.from({ length: count }, (_, i) => Math.floor(((i + 0.5) * steps) / count)))];
}

interface ImageProbe {
  /** index of the image in the denoise batch */
  item: number;
  keywords: { id: string; phrase: string; rows: number[] }[];
  maxOverhead: number;
  totals: { contribution: number; area: number; intensity: number }[];
  rest: number;
  steps: number;
  extraMs: number;
}

/**
 * Measures the keywords of the images of one denoise batch, at the steps
 * `control.probe` is asked about. Make one per batch, pass `probe` to
 * denoiseBatch, then read `results()`.
 */
export class KeywordProbe implements StepProbe {
  private readonly images: ImageProbe[];
  private readonly stepSet: Set<number>;
  private mainStepMs = 0;
  private mainSteps = 0;

  constructor(
    private readonly unet: UnetModel,
    private readonly denoise: readonly DenoiseItem[],
    requests: readonly (AttributionRequest & { rows: number[][] } | undefined)[],
    private readonly text: { tokens: number; width: number; window: number },
    private readonly totalSteps: number,
  ) {
    this.images = requests.flatMap((request, item) => {
      if (!request) return [];
      const keywords = request.keywords.map((k, i) => ({ ...k, rows: request.rows[i] ?? [] })).filter((k) => k.rows.length > 0);
      if (keywords.length === 0) return [];
      return [{ item, keywords, maxOverhead: request.maxOverhead ?? DEFAULT_MAX_OVERHEAD, totals: keywords.map(() => ({ contribution: 0, area: 0, intensity: 0 })), rest: 0, steps: 0, extraMs: 0 }];
    });
    const samples = Math.max(0, ...requests.map((r) => r?.sampleSteps ?? DEFAULT_SAMPLE_STEPS));
    this.stepSet = new Set(this.images.length > 0 ? sampledSteps(totalSteps, samples) : []);
  }

  get active(): boolean {
    return this.images.length > 0;
  }

  /** Whether `step` is one to measure at. */
  wants(step: number): boolean {
    return this.stepSet.has(step);
  }

  /** The time of one main UNet call, to weigh the extra calls against. */
  mainStep(ms: number): void {
    this.mainStepMs += ms;
    this.mainSteps++;
  }

  /**
   * At `step` (timestep `timestep`), given each image's UNet input row and
   * its conditional prediction from the main call, runs the ablated rows of
   * every image still within its overhead budget in one UNet call.
   */
  async measure(timestep: number, inputs: readonly Float32Array[], condPredictions: readonly Float32Array[], latentDims: [number, number, number]): Promise<void> {
    // A UNet call's time grows with its rows: an image's extra rows cost their share of a main call's time, and
    // its own denoising costs its share of every main call. Images whose budget this step would break skip it.
    const stepMs = this.mainSteps > 0 ? this.mainStepMs / this.mainSteps : 0;
    const rowsPerMain = this.denoise[0]!.uncond ? 2 * this.denoise.length : this.denoise.length;
    const ownMs = (stepMs * this.totalSteps) / this.denoise.length;
    const taking = this.images.filter((image) => image.extraMs + (stepMs * image.keywords.length) / rowsPerMain <= image.maxOverhead * ownMs);
    if (taking.length === 0) return;
    const rows = taking.reduce((n, image) => n + image.keywords.length, 0);
    const [channels, height, width] = latentDims;
    const size = channels * height * width;
    const inputSize = inputs[0]!.length;
    const sample = new Float32Array(rows * inputSize);
    const hiddenRow = this.text.tokens * this.text.width;
    const hidden = new Float32Array(rows * hiddenRow);
    const extras = { timestepCond: [] as Float32Array[], textEmbeds: [] as Float32Array[], timeIds: [] as Float32Array[] };
    let row = 0;
    for (const image of taking) {
      const item = this.denoise[image.item]!;
      for (const keyword of image.keywords) {
        sample.set(inputs[image.item]!, row * inputSize);
        hidden.set(ablated(item.cond, keyword.rows, this.text), row * hiddenRow);
        if (item.timestepCond) extras.timestepCond.push(item.timestepCond);
        if (item.added) {
          extras.textEmbeds.push(item.added.cond.textEmbeds);
          extras.timeIds.push(item.added.cond.timeIds);
        }
        row++;
      }
    }
    const unetExtras: UnetExtras = {};
    if (extras.timestepCond.length === rows) unetExtras.timestepCond = concat(extras.timestepCond);
    if (extras.textEmbeds.length === rows) {
      unetExtras.textEmbeds = concat(extras.textEmbeds);
      unetExtras.timeIds = concat(extras.timeIds);
    }
    const started = performance.now();
    const prediction = await this.unet.predict(sample, [rows, this.unet.inputChannels, height, width], timestep, hidden, [rows, this.text.tokens, this.text.width], unetExtras);
    const elapsed = performance.now() - started;
    row = 0;
    for (const image of taking) {
      const full = condPredictions[image.item]!;
      const maps = image.keywords.map(() => {
        const ablatedEps = prediction.subarray(row * size, (row + 1) * size);
        row++;
        return deltaMap(full, ablatedEps, channels, height * width);
      });
      accumulate(image, maps);
      image.extraMs += (elapsed * image.keywords.length) / rows;
    }
  }

  /** Each measured image's figures, by its index in the batch. */
  results(): Map<number, Attribution> {
    const ownMs = this.mainStepMs;
    return new Map(this.images.map((image) => {
      const n = Math.max(1, image.steps);
      const keywords = image.keywords.map((k, i) => ({
        id: k.id,
        phrase: k.phrase,
        contribution: image.totals[i]!.contribution / n,
        area: image.totals[i]!.area / n,
        intensity: image.totals[i]!.intensity / n,
      }));
      const share = this.denoise.length > 0 ? ownMs / this.denoise.length : 0;
      return [image.item, {
        keywords: image.steps > 0 ? keywords : [],
        rest: image.steps > 0 ? image.rest / n : 1,
        sampledSteps: image.steps,
        extraUnetMs: image.extraMs,
        overhead: share > 0 ? image.extraMs / share : 0,
      }];
    }));
  }
}

/** The conditioning with `rows` replaced by the padding row of their chunk (its last position). */
function ablated(cond: Float32Array, rows: readonly number[], text: { width: number; window: number }): Float32Array {
  const out = cond.slice();
  for (const row of rows) {
    const pad = (Math.floor(row / text.window) + 1) * text.window - 1;
    out.copyWithin(row * text.width, pad * text.width, (pad + 1) * text.width);
  }
  return out;
}

/** |Δε| per latent pixel, averaged over channels. */
function deltaMap(full: Float32Array, ablatedEps: Float32Array, channels: number, pixels: number): Float32Array {
  const map = new Float32Array(pixels);
  for (let c = 0; c < channels; c++) for (let p = 0; p < pixels; p++) map[p] = map[p]! + Math.abs(full[c * pixels + p]! - ablatedEps[c * pixels + p]!) / channels;
  return map;
}

function accumulate(image: ImageProbe, maps: readonly Float32Array[]): void {
  const pixels = maps[0]!.length;
  let spread = 0;
  for (const map of maps) for (const d of map) spread = Math.max(spread, d);
  const threshold = THRESHOLD_OF_SPREAD * spread;
  const contribution = maps.map(() => 0);
  const area = maps.map(() => 0);
  const intensity = maps.map(() => 0);
  let rest = 0;
  for (let p = 0; p < pixels; p++) {
    let driven = 0;
    for (const map of maps) if (spread > 0 && map[p]! > threshold) driven += map[p]!;
    if (driven === 0) {
      rest++;
      continue;
    }
    maps.forEach((map, k) => {
      if (map[p]! <= threshold) return;
      contribution[k] = contribution[k]! + map[p]! / driven;
      area[k] = area[k]! + 1;
      intensity[k] = intensity[k]! + map[p]!;
    });
  }
  maps.forEach((_, k) => {
    image.totals[k]!.contribution += contribution[k]! / pixels;
    image.totals[k]!.area += area[k]! / pixels;
    image.totals[k]!.intensity += area[k]! > 0 ? intensity[k]! / area[k]! : 0;
  });
  image.rest += rest / pixels;
  image.steps++;
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
