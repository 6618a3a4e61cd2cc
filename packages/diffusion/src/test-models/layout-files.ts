import { buildDemoTokenizerFiles } from "../demo/demo-tokenizer-files.ts";
import { DEMO_WORDS } from "../demo/demo-vocabulary.ts";
import { END_OF_TEXT, START_OF_TEXT } from "../tokenizer/clip-text.ts";

// Pieces shared by the generated layouts (model-layout.ts, sdxl-layout.ts).

export const json = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

export const ONNX_COMPONENT = ["diffusers", "OnnxRuntimeModel"];

/**
 * A CLIPTokenizer folder (the demo vocabulary) under `folder`. SDXL's
 * tokenizer_2 pads with "!" where tokenizer pads with the end marker.
 */
export function tokenizerFiles(folder: string, padToken: string = END_OF_TEXT): [string, Uint8Array][] {
  const tokenizer = buildDemoTokenizerFiles(DEMO_WORDS);
  const specialTokens = { bos_token: START_OF_TEXT, eos_token: END_OF_TEXT, pad_token: padToken, unk_token: END_OF_TEXT };
  return [
    [`${folder}/vocab.json`, json(tokenizer.vocab)],
    [`${folder}/merges.txt`, new TextEncoder().encode(`#version: 0.2\n${tokenizer.merges.join("\n")}\n`)],
    [`${folder}/special_tokens_map.json`, json(specialTokens)],
    [`${folder}/tokenizer_config.json`, json({ ...specialTokens, add_prefix_space: false, do_lower_case: true, model_max_length: 77, tokenizer_class: "CLIPTokenizer" })],
  ];
}
