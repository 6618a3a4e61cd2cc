import { GraphBuilder } from "../onnx/graph-builder.ts";
import { UnetLayers } from "./unet-layers.ts";

// A small Stable-Diffusion-shaped UNet with random weights, for shape,
// batching, fp16 and provider tests and for benchmarks: the real signature
// (sample [B,4,h,w], timestep int64 [B], encoder_hidden_states [B,T,D] ->
// out_sample [B,4,h,w]) and the real operators (convolutions, GroupNorm,
// self- and cross-attention, down/upsampling, skip connections), at 32/64
// channels instead of 320..1280. Its pictures mean nothing.

const BASE = 32;
const WIDE = 64;
const TIME_CHANNELS = 32;
const TIME_EMBEDDING = 128;
const HEADS = 2;
const WEIGHT_SEED = 20240611;

export interface TinyUnetOptions {
  /** width D of the text encoder's hidden states */
  contextWidth: number;
  /** "float16": weights, inputs and outputs stored as float16, as an fp16 export */
  floatType: "float32" | "float16";
  /**
   * SDXL's added conditioning (addition_embed_type "text_time"), with the
   * IO of optimum's SDXL export: a float scalar `timestep`, `text_embeds`
   * [B,P] and `time_ids` [B,6] (base) or [B,5] (refiner). Each time id gets
   * a sinusoidal embedding, they are concatenated with text_embeds and
   * projected into the time embedding, as UNet2DConditionModel's
   * add_time_proj + add_embedding do.
   */
  added?: { textEmbedsWidth: number; timeIdsWidth: number };
}

const ADDITION_TIME_EMBED = 8;

export function buildTinyUnet(version: string, options: TinyUnetOptions): Uint8Array {
  const g = new GraphBuilder("atelier_tiny_unet", { floatType: options.floatType });
  const sample = g.input("sample", "float", ["batch_size", 4, "height", "width"]);
  const timestep = options.added ? g.input("timestep", "float", []) : g.input("timestep", "int64", ["batch_size"]);
  const context = g.input("encoder_hidden_states", "float", ["batch_size", "sequence_length", options.contextWidth]);
  const l = new UnetLayers(g, WEIGHT_SEED);
  let time = l.timeEmbedding(options.added ? g.op("Expand", [g.op("Reshape", [timestep, g.ints([1])]), g.op("Slice", [g.op("Shape", [sample]), g.ints([0]), g.ints([1])])]) : timestep, TIME_CHANNELS, TIME_EMBEDDING);
  if (options.added) {
    const { textEmbedsWidth, timeIdsWidth } = options.added;
    const textEmbeds = g.input("text_embeds", "float", ["batch_size", textEmbedsWidth]);
    const timeIds = g.input("time_ids", "float", ["batch_size", timeIdsWidth]);
    // [B,k] -> [B·k] -> sinusoids [B·k, E] -> [B, k·E]
    const idEmbeddings = g.op("Reshape", [l.sinusoids(g.op("Reshape", [timeIds, g.ints([-1])]), ADDITION_TIME_EMBED), g.ints([-1, timeIdsWidth * ADDITION_TIME_EMBED])]);
    const joined = g.op("Concat", [textEmbeds, idEmbeddings], { axis: { int: 1 } });
    const added = l.linear(l.silu(l.linear(joined, textEmbedsWidth + timeIdsWidth * ADDITION_TIME_EMBED, TIME_EMBEDDING)), TIME_EMBEDDING, TIME_EMBEDDING);
    time = g.op("Add", [time, added]);
  }
  const res = (x: string, inChannels: number, outChannels: number) => l.resBlock(x, inChannels, outChannels, time, TIME_EMBEDDING);
  const attend = (x: string, channels: number) => l.transformer(x, channels, context, options.contextWidth, HEADS);
  const cat = (a: string, b: string) => g.op("Concat", [a, b], { axis: { int: 1 } });

  // Down: full resolution, then 1/2 with attention, then 1/4.
  const full = res(l.conv(sample, 4, BASE, 3), BASE, BASE);
  const half = l.downsample(full, BASE);
  const halfAttended = attend(res(half, BASE, WIDE), WIDE);
  const quarter = l.downsample(halfAttended, WIDE);
  // Middle: ResNet, attention, ResNet.
  let x = res(attend(res(quarter, WIDE, WIDE), WIDE), WIDE, WIDE);
  // Up, concatenating the skip connections as the real UNet does.
  x = l.upsample(res(cat(x, quarter), 2 * WIDE, WIDE), WIDE);
  x = attend(res(cat(x, halfAttended), 2 * WIDE, WIDE), WIDE);
  x = l.upsample(res(cat(x, half), WIDE + BASE, WIDE), WIDE);
  x = res(cat(x, full), WIDE + BASE, BASE);
  const out = l.conv(l.silu(l.groupNorm(x, BASE)), BASE, 4, 3);
  g.output(out, "out_sample", "float", ["batch_size", 4, "height", "width"]);
  return g.toBytes(version);
}
