import { join } from "node:path";
import { DEMO_MODEL_NAME } from "@atelier/diffusion";
import { decodePng } from "@atelier/diffusion/png";
import { writeTestModel, writeUpscalerModel } from "@atelier/diffusion/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtelier } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { writeJsonl } from "../support/prompt-files.ts";

// Every architecture the agents can announce, as a generated model, through
// a real farm: coordinator and agent processes, Postgres, S3. Tiny sizes and
// one or two steps: this checks the plumbing (settings, capabilities, sizes,
// metadata), the pipeline's own tests check the numbers.
const LINES = [
  { prompt: "a red circle", model: DEMO_MODEL_NAME, architecture: "sd1", want: [64, 64] },
  { prompt: "a red circle", model: "t-sd2-v", architecture: "sd2-v", want: [64, 64] },
  { prompt: "a red circle", model: "t-inpainting", architecture: "inpainting", want: [64, 64] },
  { prompt: "a red circle", model: "t-lcm", architecture: "lcm", sampler: "lcm", guidance: 8, want: [64, 64] },
  { prompt: "a red circle", model: "t-turbo", architecture: "turbo", sampler: "euler_a", steps: 1, guidance: 0, want: [64, 64] },
  { prompt: "a red circle", model: "t-sdxl", architecture: "sdxl", refiner_model: "t-sdxl-refiner", refiner_start: 0.5, width: 64, height: 96, want: [64, 96] },
  { prompt: "a red circle", model: "t-sdxl-refiner", architecture: "sdxl-refiner", want: [64, 64] },
  { prompt: "a red circle", model: DEMO_MODEL_NAME, width: 256, height: 256, steps: 1, upscale: "t-x4", upscale_scale: 4, want: [1024, 1024] },
  { prompt: "a red circle", model: DEMO_MODEL_NAME, hires_scale: 2, hires_denoise: 0.5, hires_upscaler: "t-x4", want: [128, 128] },
];

describe("every architecture through the farm", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    farm = await startFarm();
    await Promise.all([
      writeTestModel(farm.modelsDir, "t-sd2-v", { predictionType: "v_prediction" }),
      writeTestModel(farm.modelsDir, "t-inpainting", { inpainting: true }),
      writeTestModel(farm.modelsDir, "t-lcm", { timestepCondDim: 256 }),
      writeTestModel(farm.modelsDir, "t-turbo", { scheduler: { timestep_spacing: "trailing" } }),
      writeTestModel(farm.modelsDir, "t-sdxl", { architecture: "sdxl" }),
      writeTestModel(farm.modelsDir, "t-sdxl-refiner", { architecture: "sdxl-refiner" }),
      writeUpscalerModel(farm.modelsDir, "t-x4", { scale: 4 }),
    ]);
    await farm.startAgent("agent-1");
  }, 120_000);
  afterAll(() => farm?.close());

  it("the agent announces each model's architecture and its upscaler", async () => {
    const [agent] = await farm.database.db.query<{ architectures: string[]; upscalers: string[]; models: string[] }>(
      `SELECT architectures, upscalers, models FROM agent WHERE name = 'agent-1'`,
    );
    expect(agent!.upscalers).toEqual(["t-x4"]);
    expect(agent!.models).not.toContain("t-x4");
    expect([...agent!.architectures].sort()).toEqual([
      `${DEMO_MODEL_NAME}@sd1`, "t-inpainting@inpainting", "t-lcm@lcm", "t-sd2-v@sd2-v", "t-sdxl-refiner@sdxl-refiner", "t-sdxl@sdxl", "t-turbo@turbo",
    ]);
  });

  it("renders each into a PNG of the requested size: SDXL with a refiner stage, hires fix, and an x4 upscale of 256² to 1024²", async () => {
    const file = writeJsonl(join(farm.modelsDir, "..", "architectures.jsonl"), LINES.map(({ want: _want, ...line }) => line));
    const run = await runAtelier(
      ["submit", file, "--coordinator", farm.coordinatorAddress, "--width", "64", "--height", "64", "--steps", "2", "--strict", "--watch"],
      farm.cliEnv,
    );
    expect(run.output).toMatch(new RegExp(`completed: ${LINES.length} done, 0 failed`));
    const batchId = /batch ([0-9a-f-]{36}):/.exec(run.output)![1]!;
    expect(await inspectBatch(farm.database.db, farm.store, batchId)).toEqual(cleanState(LINES.length));

    const rows = await farm.database.db.query<{ index: number; key: string; width: number; height: number; guidance: number }>(
      `SELECT i.index, o.key, o.width, o.height, i.guidance FROM output o JOIN item i ON i.id = o.item_id WHERE o.batch_id = $1 ORDER BY i.index`,
      [batchId],
    );
    for (const row of rows) {
      const line = LINES[row.index]!;
      const png = await farm.store.get(row.key);
      const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
      expect([view.getUint32(16), view.getUint32(20)], `${line.model} item ${row.index}`).toEqual(line.want);
      expect([row.width, row.height]).toEqual(line.want);
      const parameters = decodePng(png).text["parameters"] ?? "";
      if (line.refiner_model) expect(parameters).toMatch(/Refiner: t-sdxl-refiner \[[0-9a-f]{10}\], Refiner switch at: 0\.5/);
      if (line.upscale) expect(parameters).toMatch(/Postprocess upscale by: 4, Postprocess upscaler: t-x4/);
      if (line.hires_scale) expect(parameters).toMatch(/Hires upscale: 2, .*Hires upscaler: t-x4/);
      if (line.guidance === 0) {
        expect(row.guidance).toBe(0);
        expect(parameters).toMatch(/CFG scale: 0,/);
      }
    }
  }, 240_000);

  it("guidance 0 from --guidance is stored as 0 and the PNG says CFG scale: 0", async () => {
    const file = writeJsonl(join(farm.modelsDir, "..", "turbo.jsonl"), [{ prompt: "a blue square", model: "t-turbo" }]);
    const run = await runAtelier(
      ["submit", file, "--coordinator", farm.coordinatorAddress, "--width", "64", "--height", "64", "--steps", "1", "--sampler", "euler", "--guidance", "0", "--watch"],
      farm.cliEnv,
    );
    expect(run.output).toMatch(/completed: 1 done, 0 failed/);
    const batchId = /batch ([0-9a-f-]{36}):/.exec(run.output)![1]!;
    const [row] = await farm.database.db.query<{ guidance: number; key: string }>(
      `SELECT i.guidance, o.key FROM item i JOIN output o ON o.item_id = i.id WHERE i.batch_id = $1`,
      [batchId],
    );
    expect(row!.guidance).toBe(0);
    expect(decodePng(await farm.store.get(row!.key)).text["parameters"]).toMatch(/Steps: 1, Sampler: Euler, CFG scale: 0, /);
  }, 120_000);
});
