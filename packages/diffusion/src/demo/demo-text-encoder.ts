import { GraphBuilder } from "../onnx/graph-builder.ts";
import { FEATURE, HIDDEN } from "./demo-vocabulary.ts";
import { demoWordFeatures } from "./demo-word-features.ts";

// The demo CLIP text encoder: input_ids int32 [B,T] -> last_hidden_state
// float32 [B,T,32] (+ pooler_output [B,32]). Instead of a transformer, each
// token is a hand-set feature vector and neighbouring tokens add context:
//  - a known word only counts when the token before it ends a word, so
//    "sacred" (s a c + "red</w>") does not paint anything red;
//  - a colour followed within two tokens by "background" colours the
//    background; any other colour colours the shape.

/**
 * "identity-last" / "scaled-last": the export also has hidden_states.0..2 as
 * optimum writes with output_hidden_states, and last_hidden_state is the
 * text model's final LayerNorm (initializers named as in transformers'
 * CLIPTextModel) of hidden_states.2. hidden_states.0 and .1 are the demo
 * features; the last layer leaves them as they are ("identity-last") or
 * scales each channel by 1..4 ("scaled-last"; LayerNorm would undo a
 * uniform scale). For CLIP skip tests: with an
 * identity last layer, CLIP skip 2 = LayerNorm(hidden_states.1) must equal
 * last_hidden_state.
 */
export type DemoTextEncoderLayers = "none" | "identity-last" | "scaled-last";

export function buildDemoTextEncoder(
  vocab: Record<string, number>,
  specials: ReadonlySet<string>,
  version: string,
  floatType: "float32" | "float16" = "float32",
  layers: DemoTextEncoderLayers = "none",
  /** "text_embeds": the pooled output named as CLIPTextModelWithProjection (SDXL's text_encoder_2) exports it */
  pooledName: "pooler_output" | "text_embeds" = "pooler_output",
): Uint8Array {
  const g = new GraphBuilder("atelier_demo_text_encoder", { floatType });
  const ids = g.input("input_ids", "int32", ["batch_size", "sequence_length"]);

  const { gated, nearBackground, colour, isColour } = demoWordFeatures(g, ids, vocab, specials);
  const backgroundColour = g.op("Mul", [colour, nearBackground]);
  const backgroundCount = g.op("Mul", [isColour, nearBackground]);
  const shapeColour = g.op("Sub", [colour, backgroundColour]);
  const shapeCount = g.op("Sub", [isColour, backgroundCount]);
  const passThrough = g.slice(gated, 2, FEATURE.backgroundWord, FEATURE.known + 1);

  // Channel order must match HIDDEN.
  const packed = g.op("Concat", [shapeColour, shapeCount, backgroundColour, backgroundCount, passThrough], { axis: { int: 2 } });
  const packedSize = HIDDEN.passThrough + (FEATURE.known + 1 - FEATURE.backgroundWord);
  const hidden = g.op("Pad", [packed, g.ints([0, 0, 0, 0, 0, HIDDEN.size - packedSize]), g.scalar(0)]);
  const dims = ["batch_size", "sequence_length", HIDDEN.size];
  if (layers === "none") {
    g.output(hidden, "last_hidden_state", "float", dims);
  } else {
    const channelScale = g.constant(Array.from({ length: HIDDEN.size }, (_, i) => 1 + (i % 4)), [HIDDEN.size]);
    const last = layers === "identity-last" ? hidden : g.op("Mul", [hidden, channelScale]);
    for (const [i, state] of [hidden, hidden, last].entries()) g.output(state, `hidden_states.${i}`, "float", dims);
    const weight = g.constant(Array.from({ length: HIDDEN.size }, (_, i) => 1 + i / 64), [HIDDEN.size], "float", "text_model.final_layer_norm.weight");
    const bias = g.constant(Array.from({ length: HIDDEN.size }, (_, i) => (i % 3) / 10), [HIDDEN.size], "float", "text_model.final_layer_norm.bias");
    const normed = g.op("LayerNormalization", [last, weight, bias], { axis: { int: -1 }, epsilon: { float: 1e-5 } });
    g.output(normed, "last_hidden_state", "float", dims);
  }
  // CLIP pools the end-of-text token; the demo has no attention, so it sums.
  const summed = g.op("ReduceSum", [hidden, g.ints([1])], { keepdims: { int: 0 } });
  // CLIPTextModelWithProjection projects its pool (text_projection); here a fixed per-channel scale, so the two pools differ.
  const pooled = pooledName === "text_embeds" ? g.op("Mul", [summed, g.constant(Array.from({ length: HIDDEN.size }, (_, i) => 0.5 + (i % 5) / 4), [HIDDEN.size])]) : summed;
  g.output(pooled, pooledName, "float", ["batch_size", HIDDEN.size]);
  return g.toBytes(version);
}
