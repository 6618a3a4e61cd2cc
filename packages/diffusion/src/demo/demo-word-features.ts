import type { GraphBuilder } from "../onnx/graph-builder.ts";
import { FEATURE, tokenFeatures } from "./demo-vocabulary.ts";

const BIG = 1 << 30; // "to the end" for Slice

/**
 * How the demo's text towers (the demo text encoder and the test CLIP's text
 * model) read a prompt's tokens [B,T]: each token's hand-set features, where
 * a known word counts only after a word boundary (so "sacred", s a c +
 * "red</w>", paints nothing red), and whether "background" follows within
 * two tokens (a colour there colours the background, not the shape).
 */
export function demoWordFeatures(g: GraphBuilder, ids: string, vocab: Record<string, number>, specials: ReadonlySet<string>) {
  const pieces = Object.entries(vocab).sort((a, b) => a[1] - b[1]);
  const table = pieces.flatMap(([piece]) => tokenFeatures(piece, specials.has(piece)));
  const embedded = g.op("Gather", [g.constant(table, [pieces.length, FEATURE.size]), ids], { axis: { int: 0 } });
  // Shift "ends a word" right by one token; position 0 counts as a boundary.
  const endsWord = g.slice(embedded, 2, FEATURE.endsWord, FEATURE.endsWord + 1);
  const previousEndsWord = g.op("Pad", [g.slice(endsWord, 1, 0, -1), g.ints([0, 1, 0, 0, 0, 0]), g.scalar(1)]);
  const gated = g.op("Mul", [embedded, previousEndsWord]);

  // Is "background" one or two tokens ahead? Shift left by 1 and 2, zero-filled.
  const backgroundWord = g.slice(gated, 2, FEATURE.backgroundWord, FEATURE.backgroundWord + 1);
  const ahead1 = g.op("Pad", [g.slice(backgroundWord, 1, 1, BIG), g.ints([0, 0, 0, 0, 1, 0]), g.scalar(0)]);
  const ahead2 = g.op("Pad", [g.slice(backgroundWord, 1, 2, BIG), g.ints([0, 0, 0, 0, 2, 0]), g.scalar(0)]);
  const nearBackground = g.op("Max", [ahead1, ahead2]);

  const colour = g.slice(gated, 2, FEATURE.colour, FEATURE.colour + 3);
  const isColour = g.slice(gated, 2, FEATURE.isColour, FEATURE.isColour + 1);
  return { gated, nearBackground, colour, isColour };
}
