import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { modelsCommand } from "./models.ts";

describe("atelier models", () => {
  const dir = mkdtempSync(join(tmpdir(), "atelier-models-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function printed(args: string[]): Promise<string> {
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
    try {
      await modelsCommand(args);
    } finally {
      spy.mockRestore();
    }
    return lines.join("\n");
  }

  it("make-test writes a model that inspect recognises, with each session's inputs, outputs and dtypes", async () => {
    expect(await printed(["make-test", "--arch", "lcm", join(dir, "lcm")])).toMatch(/random-weight lcm test model/);
    const report = await printed(["inspect", join(dir, "lcm")]);
    expect(report).toMatch(/architecture: lcm \(family sd1, epsilon/);
    expect(report).toMatch(/vae scaling_factor: 0\.18215/);
    expect(report).toMatch(/"_class_name":"LCMScheduler"/);
    expect(report).toMatch(/unet\/model\.onnx\n(?:.*\n)*?\s+in  timestep_cond: float32\[/);
    expect(await printed(["make-test", "--arch", "upscaler", join(dir, "x4")])).toMatch(/random-weight upscaler test model/);
    expect(await printed(["inspect", join(dir, "x4")])).toMatch(/architecture: upscaler[\s\S]*upscaler\/model\.onnx/);
  });

  it("says why a folder is not usable, and which architectures make-test knows", async () => {
    await expect(modelsCommand(["inspect", dir])).rejects.toThrow(/is not a usable model: .* holds neither model_index\.json/);
    await expect(modelsCommand(["make-test", "--arch", "sd3", join(dir, "x")])).rejects.toThrow(/--arch must be one of sd1, sd2-v, inpainting, lcm, turbo, sdxl, sdxl-refiner, upscaler, upscaler-x2 \(got "sd3"\)/);
  });
});
