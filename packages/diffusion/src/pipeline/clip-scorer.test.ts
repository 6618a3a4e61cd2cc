import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_COLOURS } from "../demo/demo-vocabulary.ts";
import { demoShapeDistance } from "../demo/demo-unet.ts";
import { decodePng } from "../png/png-decode.ts";
import { writeTestClipModel, writeTestModel } from "../test-models/index.ts";
import { ClipScorer, clipScore100 } from "./clip-scorer.ts";
import { Pipeline } from "./pipeline.ts";
import { fidelityOf, rolesSwapped } from "./prompt-fidelity.ts";

let root: string;
let scorer: ClipScorer;
let pipeline: Pipeline;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "atelier-clip-test-"));
  scorer = await ClipScorer.load(await writeTestClipModel(root, "clip"), { providers: ["cpu"], intraOpThreads: 1 });
  pipeline = await Pipeline.load(await writeTestModel(root, "demo"));
});
afterAll(async () => {
  await Promise.all([scorer?.release(), pipeline?.close()]);
  await rm(root, { recursive: true, force: true });
});

const SIZE = 64;
// At 64 px the demo's shapes are blobs of a few latent pixels; from 128 px up its circle and square differ.
const RENDER_SIZE = 128;

/** A picture drawn here, not by the model: a demo shape (0 circle, 1 square) of one colour over another. */
function drawn(shape: number, front: keyof typeof DEMO_COLOURS, back: keyof typeof DEMO_COLOURS): Uint8Array {
  const rgb = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const inside = demoShapeDistance(shape, ((x + 0.5) * 2) / SIZE - 1, ((y + 0.5) * 2) / SIZE - 1) > 0;
      rgb.set(DEMO_COLOURS[inside ? front : back]!, (y * SIZE + x) * 3);
    }
  }
  return rgb;
}

async function rendered(prompt: string): Promise<Uint8Array> {
  const result = await pipeline.render({ prompt, negativePrompt: "", seed: 1, width: RENDER_SIZE, height: RENDER_SIZE, steps: 4, guidance: 7.5, sampler: "euler" });
  const image = decodePng(result.png);
  expect(image.channels).toBe(3);
  return image.pixels;
}

describe("CLIP similarity with the generated test CLIP", () => {
  it("is 1 (CLIPScore 100) for a uniform picture and the prompt that paints exactly it", async () => {
    const red = new Uint8Array(SIZE * SIZE * 3).map((_, i) => DEMO_COLOURS["red"]![i % 3]!);
    const [own, blue] = await scorer.similarities(red, SIZE, SIZE, ["a red", "a blue"]);
    expect(own).toBeCloseTo(1, 4);
    expect(clipScore100(own!)).toBeCloseTo(100, 2);
    expect(blue).toBeLessThan(0.9);
    expect(clipScore100(-0.2)).toBe(0);
  });

  it("scores a demo render higher against its own prompt than against another colour or shape", async () => {
    const image = await rendered("a red circle");
    const [own, otherBoth, otherColour, otherShape] = await scorer.similarities(image, RENDER_SIZE, RENDER_SIZE, ["a red circle", "a blue square", "a blue circle", "a red square"]);
    expect(own).toBeGreaterThan(otherBoth!);
    expect(own).toBeGreaterThan(otherColour!);
    expect(own).toBeGreaterThan(otherShape!);
    expect(otherShape).toBeGreaterThan(otherBoth!);
    const square = await rendered("a blue square on a white background");
    const [squareOwn, squareOther] = await scorer.similarities(square, RENDER_SIZE, RENDER_SIZE, ["a blue square on a white background", "a red circle"]);
    expect(squareOwn).toBeGreaterThan(squareOther!);
  });

  it("gives the same embedding for a prompt whether or not it was cached", async () => {
    const image = await rendered("a green triangle");
    const first = await scorer.similarities(image, RENDER_SIZE, RENDER_SIZE, ["a green triangle", "a green triangle"]);
    const again = await scorer.similarities(image, RENDER_SIZE, RENDER_SIZE, ["a green triangle"]);
    expect(again[0]).toBe(first[0]);
    expect(first[1]).toBe(first[0]);
  });
});

describe("the fidelity check", () => {
  it("swaps the roles of an 'A verb-ing B' prompt and leaves other prompts alone", () => {
    expect(rolesSwapped("an astronaut riding a horse")).toBe("a horse riding an astronaut");
    expect(rolesSwapped("a red circle riding a blue square, high detail")).toBe("a blue square riding a red circle, high detail");
    expect(rolesSwapped("a red ring on a blue background")).toBeUndefined();
    expect(rolesSwapped("a painting of a horse")).toBeUndefined();
    expect(rolesSwapped("astronaut")).toBeUndefined();
  });

  it("flags which side of a role-swapped pair a picture was built to match", async () => {
    const prompt = "a red circle riding a blue square";
    const swapped = rolesSwapped(prompt)!;
    const matchesPrompt = drawn(0, "red", "blue");
    const matchesSwap = drawn(1, "blue", "red");
    const [own, counter] = await scorer.similarities(matchesPrompt, SIZE, SIZE, [prompt, swapped]);
    expect(fidelityOf(own!, [{ prompt: swapped, score: counter! }]).matchesOwn).toBe(true);
    const [ownOfSwap, counterOfSwap] = await scorer.similarities(matchesSwap, SIZE, SIZE, [prompt, swapped]);
    expect(fidelityOf(ownOfSwap!, [{ prompt: swapped, score: counterOfSwap! }]).matchesOwn).toBe(false);
    expect(fidelityOf(0.5, [{ prompt: "x", score: 0.5 }]).matchesOwn).toBe(false);
  });
});
