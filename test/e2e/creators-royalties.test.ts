import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, insertSyntheticOutputs, type TestDatabase } from "@atelier/db/testing";
import { runAtelier } from "../support/cli-process.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";

// `atelier creators` and `atelier royalties` as an operator runs them beside
// the coordinator, on the farm's database: the statement's figures come from
// SQL over recorded contributions (synthetic outputs here; the demo-model test
// on the demo model measures real ones).

/** The CSV the command prints, as objects by header (no cell here needs quoting). */
function parse(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.trimEnd().split("\r\n").map((line) => line.split(","));
  return lines.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i]!])));
}

describe("atelier creators and atelier royalties", () => {
  let test: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    test = await createTestDatabase();
    env = { DATABASE_URL: test.url };
  }, 60_000);
  afterAll(() => test?.drop());

  it("registers a creator, prices images by the terms of their time after an update mid-period, and lists every image behind a figure", async () => {
    const added = await runAtelier(
      ["creators", "add", "--tenant", "studio", "--name", "Ada Painter", "--payee", "iban:DE00", "--keyword", "Ada Painter", "--alias", "adastyle",
        "--price-per-image", "0.5", "--platform-share", "0.3", "--effective", "2026-10-01"],
      env,
    );
    expect(added.code).toBe(0);
    const id = /^([0-9a-f-]{36})$/m.exec(added.output)![1]!;
    await insertSyntheticOutputs(test.db, {
      tenantId: "studio", count: 3_000, createdAt: new Date("2026-10-05T12:00:00Z"), prompt: "a castle by ada painter",
      contributions: [{ creatorId: id, keyword: "ada painter", contribution: 0.3 }],
    });
    const statement = await runAtelier(["royalties", "--tenant", "studio", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "csv"], env);
    expect(statement.code).toBe(0);
    expect(parse(statement.output)).toEqual([
      { creator: id, name: "Ada Painter", payee: "iban:DE00", images: "3000", mean_contribution: "0.3000", gross: "450.00", platform_share: "135.00", payable: "315.00" },
    ]);

    // New terms from the 10th: a doubled price and a smaller share for what is made from then on.
    const updated = await runAtelier(["creators", "update", id, "--tenant", "studio", "--price-per-image", "1", "--platform-share", "0.2", "--effective", "2026-10-10T00:00:00Z"], env);
    expect(updated.code).toBe(0);
    expect(updated.output).toContain("version 2, valid from 2026-10-10T00:00:00.000Z");
    await insertSyntheticOutputs(test.db, {
      tenantId: "studio", count: 10, createdAt: new Date("2026-10-20T00:00:00Z"), prompt: "adastyle portrait",
      contributions: [{ creatorId: id, keyword: "adastyle", contribution: 0.5 }],
    });
    const json = await runAtelier(["royalties", "--tenant", "studio", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "json"], env);
    // 315 + 10 × 0.5 × 1 × 0.8 = 319.00; the first 3,000 keep their old terms.
    expect(JSON.parse(json.output)).toEqual([expect.objectContaining({ creatorId: id, images: 3_010, gross: "455.00", payable: "319.00" })]);

    const items = await runAtelier(["royalties", "--tenant", "studio", "--from", "2026-10-15", "--to", "2026-10-31", "--creator", id, "--items", "--format", "csv"], env);
    const rows = parse(items.output);
    expect(rows).toHaveLength(10);
    expect(rows[0]).toMatchObject({ keywords: "adastyle", contribution: "0.5", price: "1.000000", share: "0.200000", payable: "0.400000", prompt: "adastyle portrait" });

    expect(await test.db.query(`SELECT action FROM audit_event WHERE target = $1 ORDER BY id`, [id])).toEqual([{ action: "creator.add" }, { action: "creator.update" }]);
  }, 120_000);

  it("refuses bad input naming the flag and the limit, and writes nothing", async () => {
    const bad = await runAtelier(["creators", "add", "--tenant", "studio", "--name", "X", "--payee", "p", "--keyword", "ok", "--platform-share", "1.5"], env);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain("--platform-share must be from 0 to 1 (got 1.5)");
    const badDate = await runAtelier(["royalties", "--tenant", "studio", "--from", "2026-02-30", "--to", "2026-03-31"], env);
    expect(badDate.code).toBe(2);
    expect(badDate.output).toContain('--from must be a date (YYYY-MM-DD, UTC) or a date and time with its zone (2026-11-01T12:00:00Z); got "2026-02-30"');
    expect(await test.db.query(`SELECT count(*)::int AS n FROM creator_version v JOIN creator c ON c.id = v.creator_id WHERE v.display_name = 'X'`)).toEqual([{ n: 0 }]);
    const withoutDb = await runAtelier(["royalties", "--tenant", "studio", "--from", "2026-10-01", "--to", "2026-10-31"], { DATABASE_URL: "" });
    expect(withoutDb.output).toContain("set DATABASE_URL");
  }, 120_000);
});

// Through a real farm: the coordinator names each item's registered keywords
// in its lease, the agent measures them on the demo model, and the output's
// contributions land in output_contribution, which the statement reads.
describe("contributions measured by agents", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    farm = await startFarm();
    // The overhead cap (measured wall time, which a loaded machine stretches unevenly) may skip sampled
    // steps; this test counts them, so it lifts the cap, which has tests of its own.
    await farm.startAgent("measurer", { ATELIER_ATTRIBUTION_MAX_OVERHEAD: "1000" });
  }, 120_000);
  afterAll(() => farm?.close());

  it("records red's and blue's contributions for the prompt that names them, none for a prompt without, and the cost per image", async () => {
    const operator = { DATABASE_URL: farm.database.url };
    const add = (name: string, keyword: string) =>
      runAtelier(["creators", "add", "--tenant", "studio", "--name", name, "--payee", `payee-${name}`, "--keyword", keyword, "--price-per-image", "0.5", "--platform-share", "0.3"], operator);
    const red = /^([0-9a-f-]{36})$/m.exec((await add("Red", "red")).output)![1]!;
    const blue = /^([0-9a-f-]{36})$/m.exec((await add("Blue", "blue")).output)![1]!;
    const client = farm.clientFor(farm.coordinatorAddress, { token: await farm.mintToken("studio") });
    const header = { tenant: "", name: "measured", priority: 0, defaults: { model: "atelier-demo", width: 256, height: 256, steps: 8, sampler: "euler", guidance: 7.5, hasGuidance: true } };
    const items = ["a red circle on a blue background", "a green square on a white background"].map((prompt, i) => ({ prompt, negativePrompt: "", seed: i, hasSeed: true, count: 1, source: "" }));
    const { batchId } = await client.submitBatch(header, items);
    expect((await finalProgress(client, batchId))?.done).toBe(2);

    const rows = await farm.database.db.query<{ index: number; creator: string; keyword: string; contribution: number }>(
      `SELECT i.index, c.creator_id AS creator, c.keyword, c.contribution FROM output_contribution c JOIN output o ON o.id = c.output_id JOIN item i ON i.id = o.item_id
       WHERE o.batch_id = $1 ORDER BY i.index, c.keyword`,
      [batchId],
    );
    // The circle (radius 0.42 of the half side) is 0.1445 of a 32 x 32 latent: red drives it, blue the rest.
    expect(rows.map((r) => [r.index, r.creator, r.keyword])).toEqual([[0, blue, "blue"], [0, red, "red"]]);
    expect(Math.abs(rows[1]!.contribution - 0.1445)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(rows[0]!.contribution - (1 - 0.1445))).toBeLessThanOrEqual(0.05);
    const [measured] = await farm.database.db.query<{ metadata: { attribution: { rest: number; sampledSteps: number; extraUnetMs: number; overhead: number } } }>(
      `SELECT o.metadata FROM output o JOIN item i ON i.id = o.item_id WHERE o.batch_id = $1 AND i.index = 0`, [batchId],
    );
    expect(measured!.metadata.attribution).toMatchObject({ sampledSteps: 3 });
    expect(measured!.metadata.attribution.extraUnetMs).toBeGreaterThan(0);
    expect(measured!.metadata.attribution.overhead).toBeGreaterThan(0);
    console.log(JSON.stringify({ farmAttribution: { red: rows[1]!.contribution, blue: rows[0]!.contribution, ...measured!.metadata.attribution } }));

    const day = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().slice(0, 10);
    const statement = await runAtelier(["royalties", "--tenant", "studio", "--from", day(-86_400_000), "--to", day(0), "--format", "json"], operator);
    const lines = JSON.parse(statement.output) as { creatorId: string; images: number; payable: string }[];
    expect(lines.map((l) => [l.creatorId, l.images])).toEqual(expect.arrayContaining([[red, 1], [blue, 1]]));
    // payable = contribution × 0.5 × 0.7, rounded to cents.
    expect(lines.find((l) => l.creatorId === red)!.payable).toBe((rows[1]!.contribution * 0.35).toFixed(2));
  }, 240_000);
});
