import { GraphBuilder } from "../onnx/graph-builder.ts";
import { DEMO_SHAPES, HIDDEN } from "./demo-vocabulary.ts";

// The demo UNet: (sample [B,4,h,w], timestep int64 [B], encoder_hidden_states
// [B,T,32]) -> out_sample [B,4,h,w]. It does not learn anything: it pools the
// text features into a picture x0 (shape over background) and returns the
// exact noise that separates `sample` from that picture at this timestep,
//   eps = (sample - sqrt(ᾱ_t)·x0) / sqrt(1 - ᾱ_t),
// so any correct sampler converges to x0. The v-prediction variant returns
// v = sqrt(ᾱ_t)·eps - sqrt(1 - ᾱ_t)·x0 instead (SD 2.x's parameterisation).
// The inpainting variant takes 9 channels (latents, mask, masked-image
// latents, as SD inpainting exports do) and aims at
// x0 = mask·picture + (1 - mask)·masked-image latents: it keeps what the
// mask keeps and paints the prompt where the mask is white.
//
// Latent channels of x0: 0..2 are R,G,B in [-1,1] times `presence`, 3 is
// `presence` (1 when the prompt has a known word, else 0). The decoder
// divides RGB by max(channel 3, 1). With classifier-free guidance g and an
// empty negative prompt (x0 = 0) the sampler lands on g·x0, and the division
// undoes g, so colours come out as named for any guidance.

/** Defaults in [-1,1]: a shape with no colour word is near-white, a missing background is dark grey. */
export const DEFAULT_SHAPE_RGB = [0.9, 0.9, 0.9] as const;
export const DEFAULT_BACKGROUND_RGB = [-0.6, -0.6, -0.6] as const;
/** How far a position word moves the centre, in half-image units. */
const POSITION_OFFSET = 0.45;
// Shape sizes in half-image units (of the shorter side).
const CIRCLE_RADIUS = 0.42;
const SQUARE_HALF_SIDE = 0.38;
const TRIANGLE_CIRCUMRADIUS = 0.46;
const RING_RADIUS = 0.36;
const RING_HALF_WIDTH = 0.1;

/**
 * The signed distance (positive inside) of a point (dx, dy), in half-image
 * units from the shape's centre, to the edge of a DEMO_SHAPES shape: the
 * same formulas the graph below evaluates per latent pixel.
 */
export function demoShapeDistance(shape: number, dx: number, dy: number): number {
  const radius = Math.hypot(dx, dy);
  const inradius = TRIANGLE_CIRCUMRADIUS / 2;
  if (shape === 0) return CIRCLE_RADIUS - radius;
  if (shape === 1) return SQUARE_HALF_SIDE - Math.max(Math.abs(dx), Math.abs(dy));
  if (shape === 2) return Math.min(inradius - dy, inradius - (dx * Math.sqrt(3)) / 2 + dy / 2, inradius + (dx * Math.sqrt(3)) / 2 + dy / 2);
  return RING_HALF_WIDTH - Math.abs(radius - RING_RADIUS);
}
/** Edge steepness per latent pixel: the 10%–90% transition spans ~1.1 latent px. */
const EDGE_SHARPNESS = 4;

export interface DemoUnetOptions {
  predictionType: "epsilon" | "v_prediction";
  inpainting: boolean;
  /**
   * An LCM-distilled UNet's `timestep_cond` [B, dim] (the guidance-scale
   * embedding). The oracle reads w = guidance - 1 back from the lowest
   * frequency, sin(w·1000·10^-4) = sin(w/10) (valid for w <= 15), recomputes
   * the whole embedding from it and adds the largest deviation beyond 0.05 to
   * its output (so a malformed embedding derails the render), and scales the
   * picture's RGB by w/7: guidance 8 (LCM's usual) draws the demo's colours,
   * lower guidance paler ones, as distilled guidance does.
   */
  timestepCondDim?: number;
}

/** w at which the LCM oracle draws full colour (guidance 8). */
export const LCM_ORACLE_FULL_COLOUR_W = 7;

export function buildDemoUnet(alphasCumprod: Float64Array, version: string, options: DemoUnetOptions): Uint8Array {
  const g = new GraphBuilder("atelier_demo_unet");
  const input = g.input("sample", "float", ["batch_size", options.inpainting ? 9 : 4, "height", "width"]);
  const sample = options.inpainting ? g.slice(input, 1, 0, 4) : input;
  const timestep = g.input("timestep", "int64", ["batch_size"]);
  const text = g.input("encoder_hidden_states", "float", ["batch_size", "sequence_length", HIDDEN.size]);
  const one = g.scalar(1);
  const f = (v: number) => g.scalar(v);
  const add = (a: string, b: string) => g.op("Add", [a, b]);
  const sub = (a: string, b: string) => g.op("Sub", [a, b]);
  const mul = (a: string, b: string) => g.op("Mul", [a, b]);
  const div = (a: string, b: string) => g.op("Div", [a, b]);
  const min1 = (x: string) => g.op("Min", [x, one]);

  // Sum features over tokens: [B,32,1,1], so they broadcast over the image.
  const pooled = g.op("Reshape", [g.op("ReduceSum", [text, g.ints([1])], { keepdims: { int: 0 } }), g.ints([-1, HIDDEN.size, 1, 1])]);
  const ch = (start: number, count = 1) => g.slice(pooled, 1, start, start + count);

  const shapeCount = ch(HIDDEN.shapeColourCount);
  const hasShapeColour = min1(shapeCount);
  const shapeMean = div(ch(HIDDEN.shapeColour, 3), g.op("Max", [shapeCount, one]));
  const backgroundCount = ch(HIDDEN.backgroundColourCount);
  const hasBackgroundColour = min1(backgroundCount);
  const backgroundMean = div(ch(HIDDEN.backgroundColour, 3), g.op("Max", [backgroundCount, one]));
  const shapeFlags = DEMO_SHAPES.map((_, i) => min1(ch(HIDDEN.shapes + i)));
  const anyShape = min1(g.op("ReduceSum", [ch(HIDDEN.shapes, DEMO_SHAPES.length), g.ints([1])], { keepdims: { int: 1 } }));
  const presence = min1(ch(HIDDEN.known));

  const defaultShape = g.constant([...DEFAULT_SHAPE_RGB], [1, 3, 1, 1]);
  const defaultBackground = g.constant([...DEFAULT_BACKGROUND_RGB], [1, 3, 1, 1]);
  const lerp = (a: string, b: string, t: string) => add(a, mul(t, sub(b, a)));
  const foreground = lerp(defaultShape, shapeMean, hasShapeColour);
  // "a red" (colour, no shape) paints the whole picture red.
  const colourOnly = mul(hasShapeColour, sub(one, anyShape));
  const background = lerp(lerp(defaultBackground, shapeMean, colourOnly), backgroundMean, hasBackgroundColour);
  const clipUnit = (x: string) => g.op("Clip", [x, f(-1), f(1)]);
  const centreX = mul(clipUnit(ch(HIDDEN.dx)), f(POSITION_OFFSET));
  const centreY = mul(clipUnit(ch(HIDDEN.dy)), f(POSITION_OFFSET));

  // Pixel-centre coordinates in [-1,1] per axis, from the sample's own shape.
  const dims = g.op("Shape", [sample]);
  const height = g.op("Gather", [dims, g.scalar(2, "int64")], { axis: { int: 0 } });
  const width = g.op("Gather", [dims, g.scalar(3, "int64")], { axis: { int: 0 } });
  const heightF = g.castToFloat(height);
  const widthF = g.castToFloat(width);
  const shorter = g.op("Min", [heightF, widthF]);
  const axis = (size: string, sizeF: string, shape: number[]) => {
    const index = g.castToFloat(g.op("Range", [g.scalar(0, "int64"), size, g.scalar(1, "int64")]));
    const unit = sub(mul(add(index, f(0.5)), div(f(2), sizeF)), one);
    return g.op("Reshape", [unit, g.ints(shape)]);
  };
  // Offsets from the centre in units of half the shorter side, so shapes stay round on non-square images.
  const dx = mul(sub(axis(width, widthF, [1, 1, 1, -1]), centreX), div(widthF, shorter));
  const dy = mul(sub(axis(height, heightF, [1, 1, -1, 1]), centreY), div(heightF, shorter));

  // Signed distances (positive inside) in half-shorter-side units.
  const radius = g.op("Sqrt", [add(mul(dx, dx), mul(dy, dy))]);
  const circle = sub(f(CIRCLE_RADIUS), radius);
  const square = sub(f(SQUARE_HALF_SIDE), g.op("Max", [g.op("Abs", [dx]), g.op("Abs", [dy])]));
  // Upward equilateral triangle: inside all three edges, each at inradius R/2 from the centre.
  const inradius = f(TRIANGLE_CIRCUMRADIUS / 2);
  const slantRight = sub(mul(dx, f(Math.sqrt(3) / 2)), mul(dy, f(0.5)));
  const slantLeft = sub(mul(dx, f(-Math.sqrt(3) / 2)), mul(dy, f(0.5)));
  const triangle = g.op("Min", [sub(inradius, dy), sub(inradius, slantRight), sub(inradius, slantLeft)]);
  const ring = sub(f(RING_HALF_WIDTH), g.op("Abs", [sub(radius, f(RING_RADIUS))]));

  const steepness = mul(shorter, f(EDGE_SHARPNESS / 2)); // units -> latent px -> logits
  const masks = [circle, square, triangle, ring].map((distance, i) => mul(g.op("Sigmoid", [mul(distance, steepness)]), shapeFlags[i]!));
  const mask = g.op("Max", masks);

  const picture = mul(lerp(background, foreground, mask), presence);
  const gain = g.op("Expand", [presence, g.op("Shape", [mask])]);
  const guidanceCheck = options.timestepCondDim === undefined ? undefined : readGuidanceEmbedding(g, options.timestepCondDim);
  const shown = guidanceCheck ? mul(picture, guidanceCheck.colourGain) : picture;
  const target = g.op("Concat", [shown, gain], { axis: { int: 1 } });
  const x0 = options.inpainting ? lerp(g.slice(input, 1, 5, 9), target, g.slice(input, 1, 4, 5)) : target;

  const t = g.op("Reshape", [g.op("Cast", [timestep], { to: { int: 7 } }), g.ints([-1])]);
  const alpha = g.op("Reshape", [g.op("Gather", [g.constant(alphasCumprod, [alphasCumprod.length]), t], { axis: { int: 0 } }), g.ints([-1, 1, 1, 1])]);
  const sqrtAlpha = g.op("Sqrt", [alpha]);
  const sqrtBeta = g.op("Sqrt", [sub(one, alpha)]);
  const eps = div(sub(sample, mul(sqrtAlpha, x0)), sqrtBeta);
  const prediction = options.predictionType === "epsilon" ? eps : sub(mul(sqrtAlpha, eps), mul(sqrtBeta, x0));
  const out = guidanceCheck ? add(prediction, guidanceCheck.penalty) : prediction;
  g.output(out, "out_sample", "float", ["batch_size", 4, "height", "width"]);
  return g.toBytes(version);
}

/** The oracle's reading of `timestep_cond` (see DemoUnetOptions): a colour gain and a penalty, both [B,1,1,1]. */
function readGuidanceEmbedding(g: GraphBuilder, dim: number): { colourGain: string; penalty: string } {
  const embedding = g.input("timestep_cond", "float", ["batch_size", dim]);
  const half = Math.floor(dim / 2);
  const w = g.op("Mul", [g.op("Asin", [g.slice(embedding, 1, half - 1, half)]), g.scalar(10)]);
  const frequencies = g.constant(Array.from({ length: half }, (_, i) => 1000 * Math.exp((-i * Math.log(10000)) / (half - 1))), [1, half]);
  const angles = g.op("Mul", [w, frequencies]);
  const parts = [g.op("Sin", [angles]), g.op("Cos", [angles])];
  if (dim % 2 === 1) parts.push(g.op("Mul", [g.slice(angles, 1, 0, 1), g.scalar(0)]));
  const recomputed = g.op("Concat", parts, { axis: { int: 1 } });
  const deviation = g.op("ReduceMax", [g.op("Abs", [g.op("Sub", [embedding, recomputed])])], { axes: { ints: [1] }, keepdims: { int: 1 } });
  const excess = g.op("Relu", [g.op("Sub", [deviation, g.scalar(0.05)])]);
  const toImage = (x: string) => g.op("Reshape", [x, g.ints([-1, 1, 1, 1])]);
  return {
    colourGain: toImage(g.op("Div", [w, g.scalar(LCM_ORACLE_FULL_COLOUR_W)])),
    penalty: toImage(g.op("Mul", [excess, g.scalar(1000)])),
  };
}
