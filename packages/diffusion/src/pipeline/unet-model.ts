import * as ort from "onnxruntime-node";
import { ModelFormatError } from "../errors.ts";
import { toFloat16 } from "../onnx/float16.ts";
import { type FloatType, floatInputType, floatOutput, floatTensor, inputSpec, outputName, type SessionClock, TimedSession } from "./onnx-session.ts";

const INPUTS = ["sample", "timestep", "encoder_hidden_states"];
// Inputs some exports add (optimum's UNetOnnxConfig): LCM-distilled UNets
// (time_cond_proj_dim set) take `timestep_cond`, SDXL UNets
// (addition_embed_type "text_time") `text_embeds` and `time_ids`.
const OPTIONAL_INPUTS = ["timestep_cond", "text_embeds", "time_ids"];
/** (original h, w, crop top, left, target h, w); the refiner's 5 replace the target size by an aesthetic score */
const SDXL_BASE_TIME_IDS = 6;

/** Per-row conditioning beyond the text, each [batch, width] flattened. */
export interface UnetExtras {
  /** guidance-scale embedding [B, time_cond_proj_dim] */
  timestepCond?: Float32Array;
  /** SDXL: pooled text embedding of text_encoder_2 [B, P] */
  textEmbeds?: Float32Array;
  /** SDXL: original size, crop top-left, target size (or aesthetic score for the refiner) [B, 6|5] */
  timeIds?: Float32Array;
}
// Inpainting UNets take latents, a 1-channel mask and masked-image latents stacked on the channel axis.
const INPAINT_EXTRA_CHANNELS = 5;

/** unet/model.onnx: predicts noise (or v) for a batch of latents at one timestep. */
export class UnetModel {
  /** channels of `sample`: 4 for SD 1.x/2.x, 9 for inpainting exports */
  readonly inputChannels: number;
  /** channels of the latents it denoises (4) */
  readonly latentChannels: number;
  private readonly timestepType: "int64" | "int32" | "float32" | "float16";
  private readonly timestepShape: "scalar" | "one" | "batch";
  private readonly sampleType: FloatType;
  private readonly hiddenType: FloatType;
  private readonly output: string;
  private readonly timed: TimedSession;
  /** width of `timestep_cond` (the config's time_cond_proj_dim); undefined when the UNet has no such input */
  readonly timestepCondDim: number | undefined;
  /** widths of `text_embeds` and `time_ids` (SDXL); undefined for SD 1.x/2.x UNets */
  readonly addedCond: { textEmbedsWidth: number | undefined; timeIdsWidth: number } | undefined;
  private readonly extraTypes = new Map<string, FloatType>();

  /** `config` is unet/config.json when the export has one: it gives time_cond_proj_dim where the graph leaves the width symbolic. */
  constructor(session: ort.InferenceSession, clock?: SessionClock, config: Record<string, unknown> = {}) {
    this.timed = new TimedSession(session, clock);
    const extra = session.inputNames.filter((name) => !INPUTS.includes(name) && !OPTIONAL_INPUTS.includes(name));
    if (extra.length > 0) {
      throw new ModelFormatError(`unet needs inputs this pipeline does not provide: ${extra.join(", ")} (ControlNet and IP-Adapter inputs are not supported)`);
    }
    for (const name of OPTIONAL_INPUTS.filter((n) => session.inputNames.includes(n))) this.extraTypes.set(name, floatInputType(inputSpec(session, name, "unet"), "unet"));
    // optimum fixes every dimension but the batch; older exports may not.
    const fixedWidth = (name: string): number | undefined => {
      const dim = inputSpec(session, name, "unet").shape[1];
      return typeof dim === "number" && dim > 0 ? dim : undefined;
    };
    const width = (name: string, fallback: unknown): number => {
      const value = fixedWidth(name) ?? fallback;
      if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
        throw new ModelFormatError(`unet input ${name} has no fixed width and unet/config.json does not give one`);
      }
      return value;
    };
    this.timestepCondDim = this.extraTypes.has("timestep_cond") ? width("timestep_cond", config["time_cond_proj_dim"]) : undefined;
    const hasText = this.extraTypes.has("text_embeds");
    if (hasText !== this.extraTypes.has("time_ids")) throw new ModelFormatError("unet takes one of text_embeds and time_ids without the other; SDXL UNets take both");
    this.addedCond = hasText
      ? { textEmbedsWidth: fixedWidth("text_embeds"), timeIdsWidth: fixedWidth("time_ids") ?? SDXL_BASE_TIME_IDS }
      : undefined;
    const sample = inputSpec(session, "sample", "unet");
    this.sampleType = floatInputType(sample, "unet");
    this.hiddenType = floatInputType(inputSpec(session, "encoder_hidden_states", "unet"), "unet");
    const channels = sample.shape[1];
    this.inputChannels = typeof channels === "number" && channels > 0 ? channels : 4;
    this.latentChannels = this.inputChannels === 9 ? this.inputChannels - INPAINT_EXTRA_CHANNELS : this.inputChannels;
    // Exporters disagree: int64 [batch] (optimum), float32 [1] or a scalar, float16 in some fp16 exports.
    const timestep = inputSpec(session, "timestep", "unet");
    if (timestep.type !== "int64" && timestep.type !== "int32" && timestep.type !== "float32" && timestep.type !== "float16") {
      throw new ModelFormatError(`unet timestep is ${timestep.type}; expected int64, int32, float32 or float16`);
    }
    this.timestepType = timestep.type;
    this.timestepShape = timestep.shape.length === 0 ? "scalar" : timestep.shape[0] === 1 ? "one" : "batch";
    this.output = outputName(session, "out_sample");
  }

  /** bytes per activation value: 2 for fp16 exports, else 4 */
  get elementBytes(): number {
    return this.sampleType === "float16" ? 2 : 4;
  }

  get isInpainting(): boolean {
    return this.inputChannels === this.latentChannels + INPAINT_EXTRA_CHANNELS;
  }

  /**
   * The model output for `sample` [batch,C,h,w] conditioned on `hidden`
   * [batch,T,D]. Integer timestep inputs get the timestep truncated, as
   * diffusers' ONNX pipelines do (np.array([t], dtype=int64)); that only
   * matters for Euler with "linspace" spacing, whose timesteps are fractional.
   */
  async predict(
    sample: Float32Array,
    sampleDims: readonly number[],
    timestep: number,
    hidden: Float32Array,
    hiddenDims: readonly number[],
    extras: UnetExtras = {},
  ): Promise<Float32Array> {
    const batch = sampleDims[0]!;
    const dims = this.timestepShape === "scalar" ? [] : this.timestepShape === "one" ? [1] : [batch];
    const count = this.timestepShape === "batch" ? batch : 1;
    const feeds: Record<string, ort.Tensor> = {
      sample: floatTensor(this.sampleType, sample, sampleDims),
      timestep: new ort.Tensor(this.timestepType, this.timestepValues(timestep, count), dims),
      encoder_hidden_states: floatTensor(this.hiddenType, hidden, hiddenDims),
    };
    const feed = (name: string, data: Float32Array | undefined, what: string) => {
      const type = this.extraTypes.get(name);
      if (!type) return;
      if (!data || data.length % batch !== 0) throw new ModelFormatError(`unet input ${name} needs ${what} for each of ${batch} rows`);
      feeds[name] = floatTensor(type, data, [batch, data.length / batch]);
    };
    feed("timestep_cond", extras.timestepCond, "the guidance-scale embedding");
    feed("text_embeds", extras.textEmbeds, "the pooled text embedding");
    feed("time_ids", extras.timeIds, "the size conditioning");
    const result = await this.timed.run(feeds);
    const out = floatOutput(result, this.output, "unet");
    const expected = batch * this.latentChannels * sampleDims[2]! * sampleDims[3]!;
    if (out.data.length !== expected) {
      throw new ModelFormatError(`unet ${this.output} has shape [${out.dims.join(",")}]; expected [${batch},${this.latentChannels},${sampleDims[2]},${sampleDims[3]}]`);
    }
    return out.data;
  }

  private timestepValues(timestep: number, count: number): BigInt64Array | Int32Array | Float32Array | Uint16Array {
    switch (this.timestepType) {
      case "int64":
        return new BigInt64Array(count).fill(BigInt(Math.trunc(timestep)));
      case "int32":
        return new Int32Array(count).fill(Math.trunc(timestep));
      case "float32":
        return new Float32Array(count).fill(timestep);
      default:
        return toFloat16(new Array<number>(count).fill(timestep));
    }
  }

  release(): Promise<void> {
    return this.timed.release();
  }
}
