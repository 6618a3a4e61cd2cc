import { GraphBuilder } from "../onnx/graph-builder.ts";
import { END_OF_TEXT, START_OF_TEXT } from "../tokenizer/clip-text.ts";
import { buildDemoTokenizerFiles } from "./demo-tokenizer-files.ts";
import { DEFAULT_BACKGROUND_RGB, DEFAULT_SHAPE_RGB, demoShapeDistance } from "./demo-unet.ts";
import { DEMO_SHAPES, DEMO_WORDS, FEATURE } from "./demo-vocabulary.ts";
import { demoWordFeatures } from "./demo-word-features.ts";

// A test CLIP that sees the demo model's world, in the layout of a CLIP
// exported per modality as transformers.js ships them
// (Xenova/clip-vit-base-patch32): onnx/vision_model.onnx
// (CLIPVisionModelWithProjection: pixel_values [B,3,224,224] -> image_embeds
// [B,P]) and onnx/text_model.onnx (CLIPTextModelWithProjection: input_ids
// [B,T] -> text_embeds [B,P]), tokenizer files and preprocessor_config.json
// at the top.
//
// Both towers describe a picture as the colours of an 8x8 grid of cells:
// the vision tower averages each cell of the (un-normalised) image; the text
// tower predicts each cell from the prompt: shape colour where the first
// shape word's shape covers the cell (areas computed from the demo UNet's
// own shape formulas), background colour elsewhere. A fixed orthogonal
// projection then mixes the grid's description (describeCells) into P
// numbers, so cosine similarity is that of the two descriptions. Text rules follow the demo text encoder (a colour
// within two tokens before "background" colours the background, the defaults
// for missing colours are the demo's), with one addition that makes word
// order matter, as in "an astronaut riding a horse": the first colour that
// is not a background's colours the subject (the shape in front); any later
// one colours what it stands on (the background). The demo UNet would mix
// two shape colours instead; tests use prompts where the two agree.
// Position words are ignored: the grid assumes a centred shape.

export const DEMO_CLIP_GRID = 8;
const CELLS = DEMO_CLIP_GRID * DEMO_CLIP_GRID;
// Each cell's colour less the picture's mean colour (the layout), then the
// mean colour itself, weighted down: a shared background or a dominant hue
// would otherwise make every picture look alike.
const GRID_FEATURES = CELLS * 3 + 3;
const MEAN_COLOUR_WEIGHT = 0.5;
/** image_embeds / text_embeds width (CLIP ViT-B's projection_dim is 512). */
export const DEMO_CLIP_PROJECTION_DIM = 256;
const IMAGE_SIZE = 224;
const SUBSAMPLES = 16; // per cell side, for the coverage areas

// transformers' CLIPImageProcessor settings of openai/clip-vit-base-patch32.
const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];
const PREPROCESSOR = {
  crop_size: { height: IMAGE_SIZE, width: IMAGE_SIZE },
  do_center_crop: true,
  do_convert_rgb: true,
  do_normalize: true,
  do_rescale: true,
  do_resize: true,
  image_mean: CLIP_MEAN,
  image_processor_type: "CLIPImageProcessor",
  image_std: CLIP_STD,
  resample: 3,
  rescale_factor: 1 / 255,
  size: { shortest_edge: IMAGE_SIZE },
};

/** [B,64,3] cell colours -> the [B,GRID_FEATURES] description both towers project. */
function describeCells(g: GraphBuilder, cells: string): string {
  const mean = g.op("ReduceMean", [cells], { axes: { ints: [1] }, keepdims: { int: 1 } });
  const layout = g.op("Reshape", [g.op("Sub", [cells, mean]), g.ints([-1, CELLS * 3])]);
  const hue = g.op("Reshape", [g.op("Mul", [mean, g.scalar(MEAN_COLOUR_WEIGHT)]), g.ints([-1, 3])]);
  const described = g.op("Concat", [layout, hue], { axis: { int: 1 } });
  return g.op("MatMul", [described, g.constant(projection(), [GRID_FEATURES, DEMO_CLIP_PROJECTION_DIM])]);
}

/** Rows 0..GRID_FEATURES-1 of the Sylvester Hadamard matrix of order P, scaled to unit rows: orthonormal rows keep cosines. */
function projection(): number[] {
  const scale = 1 / Math.sqrt(DEMO_CLIP_PROJECTION_DIM);
  const out: number[] = [];
  for (let i = 0; i < GRID_FEATURES; i++) {
    for (let j = 0; j < DEMO_CLIP_PROJECTION_DIM; j++) {
      let bits = i & j;
      let parity = 0;
      while (bits) {
        parity ^= bits & 1;
        bits >>= 1;
      }
      out.push(parity ? -scale : scale);
    }
  }
  return out;
}

/** [shapes, cells]: the fraction of each grid cell a centred demo shape covers, on a square image. */
export function demoShapeCoverage(): number[] {
  const out: number[] = [];
  for (let shape = 0; shape < DEMO_SHAPES.length; shape++) {
    for (let cell = 0; cell < CELLS; cell++) {
      const cy = Math.floor(cell / DEMO_CLIP_GRID);
      const cx = cell % DEMO_CLIP_GRID;
      let inside = 0;
      for (let sy = 0; sy < SUBSAMPLES; sy++) {
        for (let sx = 0; sx < SUBSAMPLES; sx++) {
          const x = -1 + (2 * (cx + (sx + 0.5) / SUBSAMPLES)) / DEMO_CLIP_GRID;
          const y = -1 + (2 * (cy + (sy + 0.5) / SUBSAMPLES)) / DEMO_CLIP_GRID;
          if (demoShapeDistance(shape, x, y) > 0) inside++;
        }
      }
      out.push(inside / (SUBSAMPLES * SUBSAMPLES));
    }
  }
  return out;
}

export function buildDemoClipVision(version: string): Uint8Array {
  const g = new GraphBuilder("atelier_demo_clip_vision");
  const pixels = g.input("pixel_values", "float", ["batch_size", 3, IMAGE_SIZE, IMAGE_SIZE]);
  // Undo CLIP's normalisation, then [0,1] -> [-1,1] as the demo's colours are written.
  const unit = g.op("Add", [g.op("Mul", [pixels, g.constant(CLIP_STD, [1, 3, 1, 1])]), g.constant(CLIP_MEAN, [1, 3, 1, 1])]);
  const signed = g.op("Sub", [g.op("Mul", [unit, g.scalar(2)]), g.scalar(1)]);
  const cell = IMAGE_SIZE / DEMO_CLIP_GRID;
  const grid = g.op("AveragePool", [signed], { kernel_shape: { ints: [cell, cell] }, strides: { ints: [cell, cell] } });
  const cellsLast = g.op("Transpose", [grid], { perm: { ints: [0, 2, 3, 1] } });
  const embeds = describeCells(g, g.op("Reshape", [cellsLast, g.ints([-1, CELLS, 3])]));
  g.output(embeds, "image_embeds", "float", ["batch_size", DEMO_CLIP_PROJECTION_DIM]);
  return g.toBytes(version);
}

export function buildDemoClipText(vocab: Record<string, number>, specials: ReadonlySet<string>, version: string): Uint8Array {
  const g = new GraphBuilder("atelier_demo_clip_text");
  const ids = g.input("input_ids", "int64", ["batch_size", "sequence_length"]);
  const one = g.scalar(1);
  const mul = (a: string, b: string) => g.op("Mul", [a, b]);
  const sub = (a: string, b: string) => g.op("Sub", [a, b]);
  const add = (a: string, b: string) => g.op("Add", [a, b]);
  const sumTokens = (x: string) => g.op("ReduceSum", [x, g.ints([1])], { keepdims: { int: 0 } });
  const atLeastOne = (x: string) => g.op("Max", [x, one]);
  const lerp = (a: string, b: string, t: string) => add(a, mul(t, sub(b, a)));
  // 1 where a running count is exactly 1 (the first marked token), for counts of whole numbers.
  const isFirst = (count: string) => g.op("Min", [g.op("Relu", [sub(g.scalar(2), count)]), one]);
  const cumulative = (x: string) => g.op("CumSum", [x, g.scalar(1, "int64")]);

  // As the demo text encoder reads a prompt.
  const { gated, nearBackground, colour, isColour } = demoWordFeatures(g, ids, vocab, specials);
  const backgroundColourWord = mul(isColour, nearBackground);
  const otherColourWord = sub(isColour, backgroundColourWord);
  const subjectColourWord = mul(otherColourWord, isFirst(cumulative(otherColourWord)));
  const objectColourWord = add(backgroundColourWord, sub(otherColourWord, subjectColourWord));
  const hasSubjectColour = sumTokens(subjectColourWord); // [B,1], 0 or 1
  const subjectColour = sumTokens(mul(colour, subjectColourWord)); // [B,3]
  const objectCount = sumTokens(objectColourWord);
  const hasObjectColour = g.op("Min", [objectCount, one]);
  const objectColour = g.op("Div", [sumTokens(mul(colour, objectColourWord)), atLeastOne(objectCount)]);

  const shapeWords = g.slice(gated, 2, FEATURE.shapes, FEATURE.shapes + DEMO_SHAPES.length);
  const isShape = g.op("ReduceSum", [shapeWords, g.ints([2])], { keepdims: { int: 1 } });
  const firstShape = sumTokens(mul(shapeWords, mul(isShape, isFirst(cumulative(isShape))))); // [B,4] one-hot or 0
  const anyShape = g.op("ReduceSum", [firstShape, g.ints([1])], { keepdims: { int: 1 } });
  const presence = g.op("Min", [g.op("ReduceSum", [g.slice(gated, 2, FEATURE.known, FEATURE.known + 1), g.ints([1])], { keepdims: { int: 0 } }), one]);

  // The demo UNet's colour rules: defaults, and "a red" alone painting everything red.
  const foreground = lerp(g.constant([...DEFAULT_SHAPE_RGB], [1, 3]), subjectColour, hasSubjectColour);
  const colourOnly = mul(hasSubjectColour, sub(one, anyShape));
  const background = lerp(lerp(g.constant([...DEFAULT_BACKGROUND_RGB], [1, 3]), subjectColour, colourOnly), objectColour, hasObjectColour);
  const coverage = g.op("Reshape", [g.op("MatMul", [firstShape, g.constant(demoShapeCoverage(), [DEMO_SHAPES.length, CELLS])]), g.ints([-1, CELLS, 1])]);
  const perCell = (x: string) => g.op("Reshape", [x, g.ints([-1, 1, 3])]);
  const cells = lerp(perCell(background), perCell(foreground), coverage); // [B,64,3]
  const shown = mul(cells, g.op("Reshape", [presence, g.ints([-1, 1, 1])]));
  const embeds = describeCells(g, shown);
  g.output(embeds, "text_embeds", "float", ["batch_size", DEMO_CLIP_PROJECTION_DIM]);
  return g.toBytes(version);
}

const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

/** Every file of the test CLIP, by path relative to its folder; identical bytes on every call. */
export function buildDemoClipFiles(version: string, versionKey: string): Map<string, Uint8Array> {
  const tokenizer = buildDemoTokenizerFiles(DEMO_WORDS);
  const specialTokens = { bos_token: START_OF_TEXT, eos_token: END_OF_TEXT, pad_token: END_OF_TEXT, unk_token: END_OF_TEXT };
  return new Map([
    // writeModelDirectory recognises a finished copy by the version key in config.json.
    ["config.json", json({ architectures: ["CLIPModel"], model_type: "clip", projection_dim: DEMO_CLIP_PROJECTION_DIM, logit_scale_init_value: 2.6592, [versionKey]: version })],
    ["preprocessor_config.json", json(PREPROCESSOR)],
    ["vocab.json", json(tokenizer.vocab)],
    ["merges.txt", new TextEncoder().encode(`#version: 0.2\n${tokenizer.merges.join("\n")}\n`)],
    ["special_tokens_map.json", json(specialTokens)],
    ["tokenizer_config.json", json({ ...specialTokens, add_prefix_space: false, do_lower_case: true, model_max_length: 77, tokenizer_class: "CLIPTokenizer" })],
    ["onnx/text_model.onnx", buildDemoClipText(tokenizer.vocab, new Set([START_OF_TEXT, END_OF_TEXT]), version)],
    ["onnx/vision_model.onnx", buildDemoClipVision(version)],
  ]);
}
