import { writeFileSync } from "node:fs";

const COLOURS = ["red", "orange", "yellow", "green", "cyan", "blue", "purple", "magenta", "pink", "white", "black", "gray"];
const SHAPES = ["circle", "square", "triangle"];
const PLACES = ["", " on the left", " on the right", " at the top", " at the bottom"];

/** The i-th prompt of a varied, deterministic list. */
export function promptAt(i: number): string {
  const colour = COLOURS[i % COLOURS.length]!;
  const background = COLOURS[(i * 7 + 3) % COLOURS.length] === colour ? "white" : COLOURS[(i * 7 + 3) % COLOURS.length]!;
  return `a ${colour} ${SHAPES[Math.floor(i / COLOURS.length) % SHAPES.length]}${PLACES[i % PLACES.length]} on a ${background} background`;
}

/** `count` item specs for SubmitBatch: the varied prompts above, seeds from `firstSeed` on. */
export function promptSpecs(count: number, firstSeed = 0) {
  return Array.from({ length: count }, (_, i) => ({ prompt: promptAt(i), negativePrompt: "", seed: firstSeed + i, hasSeed: true, count: 1, source: "" }));
}

/** Writes a JSONL prompt file; `lines` are objects as a user would write them. */
export function writeJsonl(path: string, lines: object[]): string {
  writeFileSync(path, lines.map((line) => JSON.stringify(line)).join("\n") + "\n");
  return path;
}
