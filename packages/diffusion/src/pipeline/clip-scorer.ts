import { existsSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { ModelFormatError } from "../errors.ts";
import { ClipTokenizer } from "../tokenizer/clip-tokenizer.ts";
import { type ClipImageSettings, clipPixelValues, readClipImageSettings } from "./clip-image-processor.ts";
import { createSession, type FloatType, floatInputType, floatOutput, floatTensor, inputSpec, outputName } from "./onnx-session.ts";

// CLIP image-text similarity, as LAION filtered its pairs with: the cosine of
// the image and text embeddings (the projected ones, CLIPModel's
// image_embeds and text_embeds), and torchmetrics' CLIPScore, 100 x that
// cosine floored at 0.
//
// The model is a CLIP exported per modality, as transformers.js ships them
// (Xenova/clip-vit-base-patch32): vision_model.onnx
// (CLIPVisionModelWithProjection: pixel_values -> image_embeds) and
// text_model.onnx (CLIPTextModelWithProjection: input_ids [,
// attention_mask] -> text_embeds), in onnx/ or each in its own folder as
// model.onnx; the CLIP tokenizer files and preprocessor_config.json at the
// top of the folder.

const TOWERS = { vision: "vision_model", text: "text_model" } as const;
// Prompts of a batch repeat; their embeddings are kept, up to this many.
const TEXT_CACHE_LIMIT = 10_000;

export interface ClipScorerOptions {
  providers: readonly string[];
  intraOpThreads: number;
}

function towerPath(dir: string, tower: string): string {
  const candidates = [join(dir, "onnx", `${tower}.onnx`), join(dir, tower, "model.onnx")];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new ModelFormatError(`${dir} is not a CLIP export: it needs ${candidates.map((p) => p.slice(dir.length + 1)).join(" or ")}`);
  return found;
}

/** x / |x|, or zeros for a zero vector (whose similarity to anything is then 0). */
function normalised(data: Float32Array): Float32Array {
  let norm = 0;
  for (const v of data) norm += v * v;
  norm = Math.sqrt(norm);
  return norm > 0 ? data.map((v) => v / norm) : new Float32Array(data.length);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** torchmetrics' CLIPScore of a cosine similarity: 100 x cosine, floored at 0. */
export function clipScore100(cosine: number): number {
  return Math.max(100 * cosine, 0);
}

export class ClipScorer {
  private readonly textCache = new Map<string, Float32Array>();
  private readonly pixelType: FloatType;
  private readonly idsType: "int32" | "int64";
  private readonly takesMask: boolean;
  private readonly imageOutput: string;
  private readonly textOutput: string;

  private constructor(
    private readonly vision: ort.InferenceSession,
    private readonly text: ort.InferenceSession,
    private readonly tokenizer: ClipTokenizer,
    private readonly settings: ClipImageSettings,
  ) {
    this.pixelType = floatInputType(inputSpec(vision, "pixel_values", TOWERS.vision), TOWERS.vision);
    const ids = inputSpec(text, "input_ids", TOWERS.text);
    if (ids.type !== "int32" && ids.type !== "int64") throw new ModelFormatError(`${TOWERS.text} input_ids is ${ids.type}; expected int32 or int64`);
    this.idsType = ids.type;
    this.takesMask = text.inputNames.includes("attention_mask");
    this.imageOutput = outputName(vision, "image_embeds");
    this.textOutput = outputName(text, "text_embeds");
  }

  /** Opens both towers of the CLIP in `dir`. */
  static async load(dir: string, options: ClipScorerOptions): Promise<ClipScorer> {
    const settings = { providers: options.providers, intraOpThreads: options.intraOpThreads, interOpThreads: 1, graphOptimization: "all" as const };
    const [vision, text] = await Promise.all([createSession(towerPath(dir, TOWERS.vision), settings), createSession(towerPath(dir, TOWERS.text), settings)]);
    try {
      const [tokenizer, imageSettings] = await Promise.all([ClipTokenizer.load(dir), readClipImageSettings(join(dir, "preprocessor_config.json"))]);
      return new ClipScorer(vision, text, tokenizer, imageSettings);
    } catch (error) {
      await Promise.all([vision.release(), text.release()]);
      throw error;
    }
  }

  /** The cosine similarity of an interleaved RGB image to each text, in order. */
  async similarities(rgb: Uint8Array, width: number, height: number, texts: readonly string[]): Promise<number[]> {
    const [image, embeddings] = await Promise.all([this.imageEmbedding(rgb, width, height), this.textEmbeddings(texts)]);
    return embeddings.map((text) => dot(image, text));
  }

  private async imageEmbedding(rgb: Uint8Array, width: number, height: number): Promise<Float32Array> {
    const pixels = clipPixelValues(rgb, width, height, this.settings);
    const result = await this.vision.run({ pixel_values: floatTensor(this.pixelType, pixels, [1, 3, this.settings.cropHeight, this.settings.cropWidth]) });
    return normalised(floatOutput(result, this.imageOutput, TOWERS.vision).data);
  }

  private async textEmbeddings(texts: readonly string[]): Promise<Float32Array[]> {
    const found = new Map(texts.flatMap((text) => (this.textCache.has(text) ? [[text, this.textCache.get(text)!] as const] : [])));
    const missing = [...new Set(texts.filter((text) => !found.has(text)))];
    if (missing.length > 0) {
      const length = this.tokenizer.maxLength;
      const ids = new Array<number>(missing.length * length);
      const mask = new Array<number>(missing.length * length).fill(0);
      missing.forEach((text, row) => {
        // LAION and torchmetrics truncate a caption to CLIP's window rather than refuse it.
        const tokens = [this.tokenizer.startId, ...this.tokenizer.encode(text).slice(0, length - 2), this.tokenizer.endId];
        for (let i = 0; i < length; i++) {
          ids[row * length + i] = tokens[i] ?? this.tokenizer.padId;
          if (i < tokens.length) mask[row * length + i] = 1;
        }
      });
      const tensor = (values: number[]) =>
        this.idsType === "int64" ? new ort.Tensor("int64", BigInt64Array.from(values, BigInt), [missing.length, length]) : new ort.Tensor("int32", Int32Array.from(values), [missing.length, length]);
      const feeds: Record<string, ort.Tensor> = { input_ids: tensor(ids) };
      if (this.takesMask) feeds["attention_mask"] = tensor(mask);
      const out = floatOutput(await this.text.run(feeds), this.textOutput, TOWERS.text);
      const width = out.data.length / missing.length;
      if (this.textCache.size + missing.length > TEXT_CACHE_LIMIT) this.textCache.clear();
      missing.forEach((text, row) => {
        const embedding = normalised(out.data.slice(row * width, (row + 1) * width));
        found.set(text, embedding);
        this.textCache.set(text, embedding);
      });
    }
    return texts.map((text) => found.get(text)!);
  }

  async release(): Promise<void> {
    await Promise.all([this.vision.release(), this.text.release()]);
  }
}
