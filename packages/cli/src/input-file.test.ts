import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readItems } from "./input-file.ts";

const dir = mkdtempSync(join(tmpdir(), "atelier-input-"));
async function read(name: string, text: string) {
  const path = join(dir, name);
  writeFileSync(path, text);
  const items = [];
  for await (const item of readItems(path)) items.push(item);
  return items;
}

describe("prompt files", () => {
  it("reads JSONL with flags left to defaults, skipping blank lines", async () => {
    const items = await read("a.jsonl", '{"prompt":"a red circle","seed":7,"count":2}\n\n{"prompt":"b","negative":"blurry","width":256}\n');
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ prompt: "a red circle", seed: 7, hasSeed: true, count: 2, source: "a.jsonl:1" });
    expect(items[1]).toMatchObject({ negativePrompt: "blurry", hasSeed: false, count: 0, source: "a.jsonl:3", settings: { width: 256, steps: 0 } });
  });

  it("keeps guidance 0 (no CFG) and leaves an unset guidance out, so that only it inherits", async () => {
    const items = await read("g.jsonl", '{"prompt":"turbo","guidance":0}\n{"prompt":"inherits"}\n');
    expect(items[0]!.settings).toHaveProperty("guidance", 0);
    expect(items[1]!.settings).not.toHaveProperty("guidance");
  });

  it("reads the render options, flat so that CSV columns carry them too", async () => {
    const [jsonl] = await read("o.jsonl", JSON.stringify({
      prompt: "p", clip_skip: 2, seed_source: "torch-cpu", refiner_model: "xl-refiner", refiner_start: 0.8,
      hires_scale: 2, hires_denoise: 0.5, hires_upscaler: "esrgan", upscale: "esrgan", upscale_scale: 4, architecture: "sdxl",
    }) + "\n");
    expect(jsonl!.settings).toMatchObject({
      clipSkip: 2, seedSource: "torch-cpu", refinerModel: "xl-refiner", refinerStart: 0.8, architecture: "sdxl",
      hires: { scale: 2, denoise: 0.5, steps: 0, upscaler: "esrgan" }, upscale: { model: "esrgan", scale: 4 },
    });
    const [csv] = await read("o.csv", "prompt,hires_scale,hires_denoise,guidance\np,1.5,0.4,0\n");
    expect(csv!.settings).toMatchObject({ guidance: 0, hires: { scale: 1.5, denoise: 0.4, steps: 0, upscaler: "bicubic" } });
    await expect(read("bad.jsonl", '{"prompt":"p","hires_scale":2}\n')).rejects.toThrow("bad.jsonl:1: hires_scale needs hires_denoise as well");
    await expect(read("bad2.jsonl", '{"prompt":"p","upscale":"esrgan"}\n')).rejects.toThrow("bad2.jsonl:1: upscale (the upscaler model) and upscale_scale (2 or 4) go together");
  });

  it("reads CSV with a header, quoted commas and doubled quotes", async () => {
    const items = await read("b.csv", 'prompt,seed,steps\n"a circle, red",3,10\n"say ""hi""",,\n');
    expect(items.map((i) => [i.prompt, i.seed, i.hasSeed, i.settings?.steps])).toEqual([
      ["a circle, red", 3, true, 10],
      ['say "hi"', 0, false, 0],
    ]);
  });

  it("reads CSV cells that hold line breaks, commas and quotes, naming each record by the line it starts on", async () => {
    const csv = [
      "Prompt,Negative,Seed",
      '"a lighthouse at dusk,',
      'waves below, ""stormy""",blurry,1',
      "",
      'plain,"",2',
      '"three',
      "lines",
      'here",,3',
      "",
    ].join("\r\n");
    const items = await read("multi.csv", csv);
    expect(items.map((i) => [i.prompt, i.negativePrompt, i.seed, i.source])).toEqual([
      ['a lighthouse at dusk,\r\nwaves below, "stormy"', "blurry", 1, "multi.csv:2"],
      ["plain", "", 2, "multi.csv:5"],
      ["three\r\nlines\r\nhere", "", 3, "multi.csv:6"],
    ]);
    await expect(read("late.csv", 'prompt,seed\n"one\ntwo",1\nthree\n')).rejects.toThrow("late.csv:4: expected 2 columns (prompt, seed), found 1");
    await expect(read("open.csv", 'prompt,seed\nok,1\n"never closed,2\n')).rejects.toThrow(/^open\.csv:\d+: not valid CSV \(Quote Not Closed/);
  });

  it("names the line and the field of a bad value", async () => {
    await expect(read("c.jsonl", '{"prompt":"a"}\n{"prompt":"b","seed":1.5}\n')).rejects.toThrow("c.jsonl:2: seed must be an integer between 0 and 4294967295 (got 1.5)");
    await expect(read("d.jsonl", '{"prompt":"a","width":"wide"}\n')).rejects.toThrow('d.jsonl:1: width must be a number (got "wide")');
    await expect(read("e.jsonl", '["a"]\n')).rejects.toThrow("e.jsonl:1: each line must be a JSON object");
    await expect(read("f.csv", "prompt,colour\na,b\n")).rejects.toThrow('f.csv:1 (header): unknown field "colour"');
    await expect(read("g.csv", "prompt,seed\na\n")).rejects.toThrow("g.csv:2: expected 2 columns (prompt, seed), found 1");
    await expect(read("h.jsonl", '{"negative":"x"}\n')).rejects.toThrow("h.jsonl:1: prompt is missing");
  });
});
