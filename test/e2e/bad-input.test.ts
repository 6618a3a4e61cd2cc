import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtelier } from "../support/cli-process.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { freePort } from "../support/free-port.ts";
import { writeJsonl } from "../support/prompt-files.ts";
import { writeFileSync } from "node:fs";

const GOOD = { prompt: "a red circle on a blue background", seed: 1 };

// docs/reliability.md, scenario 17.
describe("bad input is refused with the line and the field, and writes nothing", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    farm = await startFarm();
  });
  afterAll(() => farm?.close());

  async function nothingWritten() {
    const [rows] = await farm.database.db.query<{ batches: number; items: number }>(
      `SELECT (SELECT count(*)::int FROM batch) AS batches, (SELECT count(*)::int FROM item) AS items`,
    );
    let objects = 0;
    for await (const _object of farm.store.list("")) objects++;
    return { ...rows, objects };
  }

  const cases: [string, (dir: string) => string, RegExp][] = [
    ["a malformed line", (dir) => {
      const path = join(dir, "malformed.jsonl");
      writeFileSync(path, `${JSON.stringify(GOOD)}\n${JSON.stringify(GOOD)}\n{"prompt": "a blue square", "seed": 3\n`);
      return path;
    }, /malformed\.jsonl:3: not valid JSON/],
    ["width 100000", (dir) => writeJsonl(join(dir, "wide.jsonl"), [GOOD, { ...GOOD, width: 100000 }]),
      /wide\.jsonl:2: width must be a multiple of 8 between 64 and 2048 \(got 100000\)/],
    ["steps 0", (dir) => writeJsonl(join(dir, "steps.jsonl"), [GOOD, GOOD, GOOD, { ...GOOD, steps: 0 }]),
      /steps\.jsonl:4: steps must be a positive integer \(got 0\)/],
    ["an empty prompt", (dir) => writeJsonl(join(dir, "empty.jsonl"), [GOOD, { prompt: "   ", seed: 2 }]),
      /empty\.jsonl:2: prompt is empty/],
    ["a negative seed", (dir) => writeJsonl(join(dir, "seed.jsonl"), [{ ...GOOD, seed: -1 }]),
      /seed\.jsonl:1: seed must be an integer between 0 and 4294967295 \(got -1\)/],
    ["an unknown sampler", (dir) => writeJsonl(join(dir, "sampler.jsonl"), [GOOD, { ...GOOD, sampler: "warp" }]),
      /sampler\.jsonl:2: sampler must be one of euler, euler_a, ddim, pndm, dpmpp_2m, dpmpp_2m_karras, lcm \(got "warp"\)/],
    ["a misspelt field", (dir) => writeJsonl(join(dir, "field.jsonl"), [{ promt: "a red circle" }]),
      /field\.jsonl:1: unknown field "promt"/],
  ];

  it.each(cases)("%s", async (_name, write, message) => {
    const file = write(join(farm.modelsDir, ".."));
    const run = await runAtelier(["submit", file, "--coordinator", farm.coordinatorAddress], farm.cliEnv);
    expect(run.output).toMatch(message);
    expect(run.code).not.toBe(0);
    expect(await nothingWritten()).toEqual({ batches: 0, items: 0, objects: 0 });
  }, 60_000);

  it("--strict refuses a batch that no registered agent can run, and writes nothing", async () => {
    const file = writeJsonl(join(farm.modelsDir, "..", "strict.jsonl"), [GOOD]);
    const run = await runAtelier(["submit", file, "--strict", "--coordinator", farm.coordinatorAddress], farm.cliEnv);
    expect(run.output).toMatch(/refused \(strict\): no agent has registered with this farm yet/);
    expect(run.code).not.toBe(0);
    expect(await nothingWritten()).toEqual({ batches: 0, items: 0, objects: 0 });
  }, 60_000);

  it("a command pointed where no coordinator listens says so plainly", async () => {
    const nowhere = `127.0.0.1:${await freePort()}`;
    const file = writeJsonl(join(farm.modelsDir, "..", "nowhere.jsonl"), [GOOD]);
    for (const args of [["status", "some-batch"], ["submit", file]]) {
      const run = await runAtelier([...args, "--coordinator", nowhere], farm.cliEnv);
      expect(run.output).toContain(`atelier ${args[0]}: cannot reach a coordinator at ${nowhere} (connection refused): start one with \`atelier up\``);
      expect(run.code).toBe(1);
    }
  }, 60_000);

  it("a valid file goes through on the same farm, with a warning while no agent can run it", async () => {
    const file = writeJsonl(join(farm.modelsDir, "..", "good.jsonl"), [GOOD, GOOD]);
    const run = await runAtelier(["submit", file, "--coordinator", farm.coordinatorAddress], farm.cliEnv);
    expect(run.output).toMatch(/2 images queued/);
    expect(run.output).toMatch(/warning: no agent has registered with this farm yet/);
    expect(run.code).toBe(0);
  }, 60_000);
});
