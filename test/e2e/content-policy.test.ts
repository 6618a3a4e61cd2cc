import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtelier } from "../support/cli-process.ts";
import { writeJsonl } from "../support/prompt-files.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";

// Content policy as a tenant meets it: set by an operator (`atelier policy
// set`, beside the coordinator), a prompt that breaks it is refused at submit
// with the file, line and matched term, and nothing is written.

describe("content policy at submit", () => {
  let farm: FarmFixture;
  let operator: Record<string, string>;
  beforeAll(async () => {
    farm = await startFarm();
    operator = { DATABASE_URL: farm.database.url };
  }, 120_000);
  afterAll(() => farm?.close());

  const rowCounts = async () =>
    (await farm.database.db.query<{ batches: number; items: number }>(`SELECT (SELECT count(*)::int FROM batch) AS batches, (SELECT count(*)::int FROM item) AS items`))[0]!;

  it("refuses a blocked term, a named person and a pattern with file, line and the matched text; writes nothing; the tenant's own policy replaces the farm's", async () => {
    const farmWide = await runAtelier(["policy", "set", "--farm", "--block", "gore", "--person", "Jane Q. Public", "--pattern", "\\bnude\\w*"], operator);
    expect(farmWide.code).toBe(0);
    const token = await farm.mintToken("studio");
    const submit = (file: string) => runAtelier(["submit", file, "--coordinator", farm.coordinatorAddress, "--model", "demo"], { ATELIER_TOKEN: token, DATABASE_URL: "" });
    const dir = farm.modelsDir;
    const before = await rowCounts();

    const blocked = writeJsonl(join(dir, "..", "blocked.jsonl"), [{ prompt: "a red circle" }, { prompt: "a blue square" }, { prompt: "a red square, GORE everywhere" }]);
    const refused = await submit(blocked);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(`blocked.jsonl:3: the prompt contains "GORE", a term the farm's content policy (version 1) blocks`);
    expect(await rowCounts()).toEqual(before);

    const person = writeJsonl(join(dir, "..", "person.jsonl"), [{ prompt: "a portrait of jane  q. public on a beach" }]);
    const named = await submit(person);
    expect(named.output).toContain(`person.jsonl:1: the prompt names "jane  q. public", a real person on the named-person list of the farm's content policy (version 1)`);
    const pattern = writeJsonl(join(dir, "..", "pattern.jsonl"), [{ prompt: "a circle" }, { prompt: "nudes in a red circle" }]);
    expect((await submit(pattern)).output).toContain(`pattern.jsonl:2: the prompt contains "nudes", which matches the pattern /\\bnude\\w*/ that the farm's content policy (version 1) blocks`);
    expect(await rowCounts()).toEqual(before);

    // Whole words only: "gorenje" is not "gore".
    const fine = writeJsonl(join(dir, "..", "fine.jsonl"), [{ prompt: "a gorenje fridge, red circle" }]);
    expect((await submit(fine)).code).toBe(0);

    // The tenant's own policy (a new version) replaces the farm's for it.
    expect((await runAtelier(["policy", "set", "--tenant", "studio", "--block", "fridge"], operator)).code).toBe(0);
    expect((await submit(blocked)).code).toBe(0);
    expect((await submit(fine)).output).toContain(`fine.jsonl:1: the prompt contains "fridge", a term tenant studio's content policy (version 2) blocks`);
    const actions = await farm.database.db.query<{ action: string; target: string }>(`SELECT action, target FROM audit_event WHERE action = 'policy.set' ORDER BY id`);
    expect(actions).toEqual([{ action: "policy.set", target: "farm" }, { action: "policy.set", target: "studio" }]);
  }, 180_000);
});
