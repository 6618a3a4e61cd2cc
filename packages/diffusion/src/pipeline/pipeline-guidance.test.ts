import { afterAll, beforeAll, expect, it } from "vitest";
import { decodePng } from "../png/png-decode.ts";
import { RED_CIRCLE, demoModelDir } from "../testing/demo-fixture.ts";
import { Pipeline } from "./pipeline.ts";

let remove: () => Promise<void>;
let pipeline: Pipeline;

beforeAll(async () => {
  const model = await demoModelDir();
  remove = model.remove;
  pipeline = await Pipeline.load(model.modelDir);
});
afterAll(async () => {
  await pipeline?.close();
  await remove?.();
});

/** Session runs of one render: text encoder calls + UNet calls + one VAE decode. */
async function runsOf(guidance: number, negativePrompt: string): Promise<{ runs: number; parameters: string }> {
  const before = pipeline.stats.sessionRuns;
  // A fresh prompt each time, so the embedding cache does not hide text-encoder calls.
  const result = await pipeline.render({ ...RED_CIRCLE, prompt: `${RED_CIRCLE.prompt} ${guidance}${negativePrompt.length}`, negativePrompt, guidance, steps: 4, width: 64, height: 64 });
  return { runs: pipeline.stats.sessionRuns - before, parameters: decodePng(result.png).text["parameters"]! };
}

it("runs guidance 0 and 1 without CFG: one UNet call per step, no negative prompt encoded, and says CFG scale: 0", async () => {
  for (const guidance of [0, 1]) {
    const { runs, parameters } = await runsOf(guidance, "blurry and dull");
    expect(runs, `guidance ${guidance}`).toBe(1 + 4 + 1);
    expect(parameters).toContain(`CFG scale: ${guidance}, `);
  }
  // Guided: the negative prompt is encoded too, and still one (batched) UNet call per step.
  expect((await runsOf(7.5, "blurry and dull")).runs).toBe(2 + 4 + 1);
});
