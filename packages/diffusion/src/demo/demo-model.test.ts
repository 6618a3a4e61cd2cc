import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureDemoModel, DEMO_MODEL_NAME } from "./demo-model.ts";

const roots: string[] = [];
async function freshRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "atelier-demo-model-test-"));
  roots.push(root);
  return root;
}
afterAll(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = new Map<string, Buffer>();
  for (const entry of entries.filter((e) => e.isFile()).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), await readFile(path));
  }
  return files;
}

describe("ensureDemoModel", () => {
  it("writes the Stable Diffusion ONNX export layout", async () => {
    const dir = await ensureDemoModel(await freshRoot());
    expect(dir.endsWith(DEMO_MODEL_NAME)).toBe(true);
    const files = [...(await filesUnder(dir)).keys()].sort();
    expect(files).toEqual(
      [
        "model_index.json",
        "scheduler/scheduler_config.json",
        "text_encoder/model.onnx",
        "tokenizer/merges.txt",
        "tokenizer/special_tokens_map.json",
        "tokenizer/tokenizer_config.json",
        "tokenizer/vocab.json",
        "unet/model.onnx",
        "vae_decoder/config.json",
        "vae_decoder/model.onnx",
        "vae_encoder/config.json",
        "vae_encoder/model.onnx",
      ].map((p) => join(...p.split("/"))),
    );
    // No staging folders left behind.
    expect((await readdir(join(dir, ".."))).filter((name) => name !== DEMO_MODEL_NAME)).toEqual([]);
  });

  it("generates the same bytes every time", async () => {
    const first = await filesUnder(await ensureDemoModel(await freshRoot()));
    const second = await filesUnder(await ensureDemoModel(await freshRoot()));
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [path, bytes] of first) expect(second.get(path)!.equals(bytes), path).toBe(true);
  });

  it("leaves a current copy alone and replaces an outdated one", async () => {
    const root = await freshRoot();
    const dir = await ensureDemoModel(root);
    const unet = join(dir, "unet", "model.onnx");
    const before = await stat(unet);
    await ensureDemoModel(root);
    expect((await stat(unet)).mtimeMs).toBe(before.mtimeMs);

    const index = join(dir, "model_index.json");
    const stale = JSON.parse(await readFile(index, "utf8")) as Record<string, unknown>;
    await writeFile(index, JSON.stringify({ ...stale, _atelier_demo_version: "0" }));
    await writeFile(unet, "stale");
    await ensureDemoModel(root);
    expect((await readFile(unet)).length).toBeGreaterThan(1000);
  });

  // Several agents started at once on a fresh machine seed one models folder together. Each round
  // gives the race another chance: before the seeding was made race-free, a few in twenty lost it.
  it.each(["a fresh folder", "an outdated copy"])("survives concurrent callers over %s", async (start) => {
    for (let round = 0; round < 5; round++) {
      const root = await freshRoot();
      if (start === "an outdated copy") {
        await mkdir(join(root, DEMO_MODEL_NAME, "unet"), { recursive: true });
        await writeFile(join(root, DEMO_MODEL_NAME, "model_index.json"), JSON.stringify({ _atelier_demo_version: "0" }));
        await writeFile(join(root, DEMO_MODEL_NAME, "unet", "model.onnx"), "stale");
      }
      const dirs = await Promise.all(Array.from({ length: 8 }, () => ensureDemoModel(root)));
      expect(new Set(dirs).size).toBe(1);
      // One current copy, no staging or outdated folder left behind.
      expect(await readdir(root)).toEqual([DEMO_MODEL_NAME]);
      expect((await readFile(join(dirs[0]!, "unet", "model.onnx"))).length).toBeGreaterThan(1000);
    }
  });
});
