import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePng } from "../png/png-decode.ts";
import { isBlueish, isRedish, RED_CIRCLE, rgbAt, testModelDirs } from "../testing/demo-fixture.ts";
import { ClipTokenizer } from "../tokenizer/clip-tokenizer.ts";
import { ClipTextEncoder } from "./clip-text-encoder.ts";
import { createSession } from "./onnx-session.ts";
import { Pipeline } from "./pipeline.ts";
import { PromptEncoder } from "./prompt-encoder.ts";

let remove: () => Promise<void>;
let dirs: Record<"demo" | "identity" | "scaled", string>;
let demo: Pipeline;
let scaled: Pipeline;

beforeAll(async () => {
  const models = await testModelDirs({ demo: {}, identity: { textEncoderLayers: "identity-last" }, scaled: { textEncoderLayers: "scaled-last" } });
  ({ remove, dirs } = models);
  demo = await Pipeline.load(dirs.demo);
  scaled = await Pipeline.load(dirs.scaled);
});
afterAll(async () => {
  await Promise.all([demo?.close(), scaled?.close()]);
  await remove?.();
});

const settings = { providers: ["cpu"], intraOpThreads: 1, interOpThreads: 1, graphOptimization: "all" } as const;
async function promptEncoder(dir: string): Promise<PromptEncoder> {
  const path = `${dir}/text_encoder/model.onnx`;
  return new PromptEncoder({ tokenizer: await ClipTokenizer.load(`${dir}/tokenizer`), encoder: new ClipTextEncoder(await createSession(path, settings), undefined, path) });
}

describe("long prompts", () => {
  // "zebra" is byte-level pieces in the demo vocabulary (5 tokens with the comma), meaningless to the demo UNet.
  const filler = "zebra, ".repeat(36);
  const long = `a red circle BREAK ${filler}BREAK on a (blue:1.2) background`;

  it("renders a 200-token prompt with BREAK and emphasis, chunk by chunk", async () => {
    expect(demo.countTokens(long)).toBeGreaterThanOrEqual(185);
    const encoder = await promptEncoder(dirs.demo);
    const embedding = await encoder.embed(long);
    // 3 + 180 + 5 tokens: "a red circle" | BREAK | 75 + 75 + 30 zebra tokens | BREAK | the background
    expect(embedding.chunks).toBe(5);
    expect([embedding.tokens, embedding.data.length]).toEqual([5 * 77, 5 * 77 * 32]);
    const image = decodePng((await demo.render({ ...RED_CIRCLE, prompt: long, width: 128, height: 128 })).png);
    // The colour and the background word sit in different chunks and still reach the UNet together.
    expect(isRedish(rgbAt(image, 64, 64))).toBe(true);
    expect(isBlueish(rgbAt(image, 4, 4))).toBe(true);
  });

  it("pads prompt and negative prompt to the same number of chunks with the empty prompt's encoding", async () => {
    const encoder = await promptEncoder(dirs.demo);
    const cond = await encoder.embed(long);
    const uncond = await encoder.padTo(await encoder.embed(""), cond.chunks);
    const empty = await encoder.embed("");
    expect(uncond.tokens).toBe(cond.tokens);
    for (let c = 0; c < cond.chunks; c++) expect(uncond.data.subarray(c * empty.data.length, (c + 1) * empty.data.length)).toEqual(empty.data);
    // A negative prompt longer than the prompt pads the prompt instead; guided renders run both in one UNet call.
    const image = decodePng((await demo.render({ ...RED_CIRCLE, negativePrompt: `${filler}a green`, width: 64, height: 64 })).png);
    expect(image.width).toBe(64);
  });

  it("applies emphasis in later chunks", async () => {
    const mix = async (prompt: string) => rgbAt(decodePng((await demo.render({ ...RED_CIRCLE, prompt, width: 64, height: 64 })).png), 32, 32);
    // The mean rescale is per chunk: red at 1.5 against green in its own chunk (x1.2 vs x0.8), blue untouched.
    const plain = await mix("a blue BREAK red green circle");
    const emphasised = await mix("a blue BREAK (red:1.5) green circle");
    expect(emphasised[0]).toBeGreaterThan(plain[0] + 5);
    expect(emphasised[1]).toBeLessThan(plain[1] - 10);
  });
});

describe("CLIP skip", () => {
  it("is LayerNorm(hidden_states[-2]) with the graph's own final_layer_norm: equal to the last layer when that layer is the identity", async () => {
    const encoder = await promptEncoder(dirs.identity);
    const last = await encoder.embed("a (red:1.2) circle", 1);
    const skipped = await encoder.embed("a (red:1.2) circle", 2);
    expect(skipped.data.length).toBe(last.data.length);
    const diff = skipped.data.reduce((m, v, i) => Math.max(m, Math.abs(v - last.data[i]!)), 0);
    expect(diff).toBeLessThan(1e-5); // onnxruntime's LayerNormalization vs the one applied here
  });

  it("differs from the last layer when that layer does something, and renders", async () => {
    const encoder = await promptEncoder(dirs.scaled);
    const last = await encoder.embed("a red circle", 1);
    const skipped = await encoder.embed("a red circle", 2);
    expect(skipped.data.reduce((m, v, i) => Math.max(m, Math.abs(v - last.data[i]!)), 0)).toBeGreaterThan(0.01);
    const a = await scaled.render({ ...RED_CIRCLE, width: 64, height: 64, clipSkip: 2 });
    const b = await scaled.render({ ...RED_CIRCLE, width: 64, height: 64, clipSkip: 1 });
    expect(Buffer.from(a.png).equals(Buffer.from(b.png))).toBe(false);
  });

  it("refuses a skip beyond the export's layers", async () => {
    await expect(scaled.render({ ...RED_CIRCLE, clipSkip: 3 })).rejects.toThrow(/clipSkip 3 cannot run on model scaled: its text_encoder has 2 layers/);
  });
});
