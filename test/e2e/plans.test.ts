import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodePng } from "@atelier/diffusion/png";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtelier } from "../support/cli-process.ts";
import { ensureDebianPackages } from "../support/debian-packages.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";

// Issue 12's plan, as written there, through the real CLI and a farm of
// processes: the dry run counts 72 and writes nothing, the submission makes
// 72 items that each record their axis value, and `atelier grid` draws the
// sweep with labels that Tesseract (an OCR engine nobody here wrote) reads.
const ISSUE_PLAN = `prompt: "a {red|blue|green} {circle|square|triangle} on a white background"
seeds: [1, 2, 3, 4]
axes:
  x: { sampler: [euler, ddim] }
width: 64
height: 64
steps: 4
`;

const tesseractPresent = () => spawnSync("sh", ["-c", "command -v tesseract"]).status === 0;

describe("plans: issue 12's example through the CLI", () => {
  let farm: FarmFixture;
  let dir: string;
  let planFile: string;
  beforeAll(async () => {
    ensureDebianPackages("tesseract (an OCR engine to read the grid's labels)", ["tesseract-ocr", "tesseract-ocr-eng"], tesseractPresent);
    dir = mkdtempSync(join(tmpdir(), "atelier-plans-"));
    planFile = join(dir, "plan.yaml");
    writeFileSync(planFile, ISSUE_PLAN);
    farm = await startFarm();
    await farm.startAgent("agent-1");
  }, 600_000);
  afterAll(async () => {
    await farm?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const batchCount = async () => (await farm.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM batch`))[0]!.n;

  it("--dry-run says 72 items with their megapixel-steps and writes nothing", async () => {
    const before = await batchCount();
    const run = await runAtelier(["submit", planFile, "--coordinator", farm.coordinatorAddress, "--dry-run"], farm.cliEnv);
    expect(run.code, run.output).toBe(0);
    // 72 x 64 x 64 x 4 = 1,179,648 pixel-steps.
    expect(run.output).toContain("plan.yaml: 72 items, 1.18 megapixel-steps (dry run: nothing was written)");
    expect(run.output).toMatch(/^ETA: /m);
    expect(await batchCount()).toBe(before);
  });

  it("renders 72 items, each with its axis value stored, and draws a grid whose labels read back", async () => {
    const run = await runAtelier(["submit", planFile, "--coordinator", farm.coordinatorAddress, "--watch"], farm.cliEnv);
    expect(run.output).toMatch(/completed: 72 done, 0 failed/);
    const batchId = /batch ([0-9a-f-]{36}): 72 images queued/.exec(run.output)![1]!;

    const rows = await farm.database.db.query<{ prompt: string; seed: string; sampler: string; axes: { x: string } }>(
      `SELECT prompt, seed::text AS seed, sampler, axes FROM item WHERE batch_id = $1 ORDER BY index`, [batchId]);
    expect(rows).toHaveLength(72);
    expect(rows.every((row) => row.axes.x === row.sampler)).toBe(true);
    expect(rows.filter((row) => row.axes.x === "ddim")).toHaveLength(36);
    expect(new Set(rows.map((row) => `${row.prompt}|${row.seed}|${row.sampler}`)).size).toBe(72);
    expect(new Set(rows.map((row) => row.seed))).toEqual(new Set(["1", "2", "3", "4"]));
    expect(await inspectBatch(farm.database.db, farm.store, batchId)).toEqual(cleanState(72));

    const out = join(dir, "grids");
    const grid = await runAtelier(["grid", batchId, "--coordinator", farm.coordinatorAddress, "--out", out], farm.cliEnv);
    expect(grid.code, grid.output).toBe(0);
    expect(readdirSync(out)).toEqual([`${batchId}-grid.png`]);
    const file = join(out, `${batchId}-grid.png`);
    const image = decodePng(new Uint8Array(readFileSync(file)));
    // Two columns of 6 x 6 tiles of 64 px, 2 px gaps, a label band on top.
    const cell = 6 * 64;
    expect(image.width).toBe(2 * cell + 3 * 2);
    expect(image.height).toBeGreaterThan(cell + 2 * 2);
    const bandHeight = image.height - cell - 2 * 2;
    // The first tile of the euler column is item 0's image (a red circle, seed 1, euler), pixel for pixel.
    const first = decodePng(await farm.store.get((await farm.database.db.query<{ key: string }>(
      `SELECT o.key FROM output o JOIN item i ON i.id = o.item_id WHERE i.batch_id = $1 AND i.index = 0`, [batchId]))[0]!.key));
    const at = (img: { width: number; channels: number; pixels: Uint8Array }, x: number, y: number) => [...img.pixels.subarray((y * img.width + x) * img.channels, (y * img.width + x) * img.channels + 3)];
    for (const [x, y] of [[0, 0], [31, 31], [63, 10]] as const) expect(at(image, 2 + x, bandHeight + 2 + y)).toEqual(at(first, x, y));

    const ocr = spawnSync("tesseract", [file, "-", "--psm", "11"], { encoding: "utf8" });
    expect(ocr.status, ocr.stderr).toBe(0);
    const words = ocr.stdout.replace(/\s+/g, " ");
    expect(words).toContain("Sampler: euler");
    expect(words).toContain("Sampler: ddim");
  }, 300_000);
});
