import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "./input-file.ts";
import { isPlanFile, readPlanFile } from "./plan-file.ts";

const dir = mkdtempSync(join(tmpdir(), "atelier-plan-file-"));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
};

describe("plan files", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a YAML plan: templates, axes, settings, and the wildcard files it uses (and those they use)", async () => {
    write("wildcards/colour.txt", "# colours\nred\n\n__shade__ blue\n");
    write("wildcards/shade.txt", "dark\nlight\n");
    write("wildcards/unused.txt", "never sent\n");
    const path = write("sweep.yaml", `prompts: ["a __colour__ {cat|dog}"]
wildcards: { size: [small, 2] }
seed_range: { first: 5, count: 3 }
axes:
  x: { sampler: [euler, ddim] }
  y: { cfg: [1, 7.5] }
width: 64
sampler: euler
`);
    expect(await isPlanFile(path)).toBe(true);
    const { plan, settings } = await readPlanFile(path);
    expect(settings).toEqual({ width: 64, sampler: "euler" });
    expect(plan.prompts).toEqual(["a __colour__ {cat|dog}"]);
    expect(plan.seedRange).toEqual({ first: 5, count: 3 });
    expect(plan.axes).toEqual([{ name: "x", setting: "sampler", values: ["euler", "ddim"] }, { name: "y", setting: "cfg", values: ["1", "7.5"] }]);
    expect(Object.fromEntries(plan.wildcards!.map((w) => [w.name, w.values]))).toEqual({
      size: ["small", "2"], colour: ["red", "__shade__ blue"], shade: ["dark", "light"],
    });
  });

  it("tells a JSON plan from a JSON prompt list", async () => {
    expect(await isPlanFile(write("plan.json", JSON.stringify({ prompt: "a {b|c}", seeds: [1] })))).toBe(true);
    expect(await isPlanFile(write("one-line.json", JSON.stringify({ prompt: "a cat", seed: 3 })))).toBe(false);
    expect(await isPlanFile(write("prompts.jsonl", JSON.stringify({ prompts: ["x"] })))).toBe(false);
  });

  it("names the field or file of a bad plan", async () => {
    const problem = async (text: string) => (await readPlanFile(write("bad.yaml", text)).then(() => "accepted", (e: unknown) => (e instanceof InputError ? e.message : String(e))));
    expect(await problem("prompt: x\ncolour: red\n")).toMatch(/bad\.yaml: unknown field colour$/);
    expect(await problem("prompt: x\nwidth: wide\n")).toMatch(/bad\.yaml: width: /);
    expect(await problem("prompt: x\naxes:\n  x: { sampler: [euler], steps: [4] }\n")).toMatch(/axes\.x must name one setting with its values/);
    expect(await problem("seeds: [1]\n")).toMatch(/a plan needs a prompt/);
    expect(await problem("prompt: __missing__\n")).toMatch(/the wildcard __missing__ needs .*missing\.txt, which does not exist/);
    expect(await problem("prompt: __a/../../secret__\n")).toMatch(/the wildcard __a\/\.\.\/\.\.\/secret__ points outside/);
    expect(await problem("prompt: [unclosed\n")).toMatch(/bad\.yaml: not valid YAML/);
  });
});
