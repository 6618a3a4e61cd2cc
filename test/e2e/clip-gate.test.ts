import { join } from "node:path";
import { decodePng } from "@atelier/diffusion";
import { writeTestClipModel } from "@atelier/diffusion/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtelier } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { writeJsonl } from "../support/prompt-files.ts";

// Issue 12's CLIP scores, quality gate and report across real processes: an
// agent with the generated test CLIP scores every image; images below the
// batch's gate are kept as rejected attempts and their items re-rolled with
// the next seed until max_rerolls, then exhausted. The demo model draws "a
// red circle riding a blue square" as a mix of both shapes, which the test
// CLIP reads as the subject in front of the object: it scores about 0.02,
// under any seed, so those items exhaust; "a red circle" scores about 0.99.

const GATE = 0.5;
const MAX_REROLLS = 2;
const PASSING = 4;
const FAILING = 2;

/** numpy.percentile's default (linear) method: the definition `atelier report` must follow. */
function percentile(sorted: number[], q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

describe("CLIP scores, the quality gate and the report", () => {
  let farm: FarmFixture;
  let batchId: string;
  beforeAll(async () => {
    farm = await startFarm();
    const clipDir = await writeTestClipModel(join(farm.modelsDir, ".."), "test-clip");
    await farm.startAgent("clip-agent", { ATELIER_CLIP_MODEL: clipDir });
  });
  afterAll(() => farm?.close());

  it("keeps every attempt, re-rolls with the next seed, ends exhausted after max_rerolls, and counts exactly", async () => {
    const lines = [
      ...Array.from({ length: PASSING }, (_, i) => ({ prompt: "a red circle", seed: 100 + 10 * i })),
      ...Array.from({ length: FAILING }, (_, i) => ({ prompt: "a red circle riding a blue square", seed: 200 + 10 * i })),
      // Its own gate lets anything through; its counter-prompt is what the demo drew, so fidelity fails.
      { prompt: "a red circle riding a blue square", seed: 300, min_clip_score: -1, counter_prompts: "a purple square" },
    ];
    const file = writeJsonl(join(farm.modelsDir, "..", "gate.jsonl"), lines);
    const run = await runAtelier(
      ["submit", file, "--coordinator", farm.coordinatorAddress, "--width", "64", "--height", "64", "--steps", "4",
       "--min-clip-score", String(GATE), "--max-rerolls", String(MAX_REROLLS), "--counter-prompts", "a blue square", "--watch"],
      farm.cliEnv,
    );
    expect(run.output).toMatch(new RegExp(`completed: ${lines.length} done, 0 failed`));
    expect(run.code).toBe(0);
    batchId = /batch ([0-9a-f-]{36})/.exec(run.output)![1]!;

    const { db } = farm.database;
    const items = await db.query<{ index: number; state: string; seed: string; rerolls: number }>(
      `SELECT index, state, seed::text AS seed, rerolls FROM item WHERE batch_id = $1 ORDER BY index`, [batchId]);
    expect(items.map((i) => [i.state, i.rerolls])).toEqual([
      ...Array.from({ length: PASSING }, () => ["done", 0]), ...Array.from({ length: FAILING }, () => ["exhausted", MAX_REROLLS]), ["done", 0],
    ]);
    const outputs = await db.query<{ index: number; key: string; seed: string; accepted: boolean; clip_score: number }>(
      `SELECT i.index, o.key, o.seed::text AS seed, o.accepted, o.clip_score FROM output o JOIN item i ON i.id = o.item_id
       WHERE o.batch_id = $1 ORDER BY i.index, o.seed`, [batchId]);
    const attempts = PASSING + FAILING * (MAX_REROLLS + 1) + 1;
    expect(outputs).toHaveLength(attempts);
    // Every attempt of an exhausted item is kept, one per seed: the first, then the next ones.
    for (let f = 0; f < FAILING; f++) {
      const index = PASSING + f;
      const kept = outputs.filter((o) => o.index === index);
      expect(kept.map((o) => Number(o.seed))).toEqual([200 + 10 * f, 201 + 10 * f, 202 + 10 * f]);
      expect(kept.every((o) => !o.accepted && o.clip_score < GATE && o.key.endsWith(`-${o.seed}.png`))).toBe(true);
    }
    expect(outputs.filter((o) => o.index < PASSING).every((o) => o.accepted && o.clip_score > 0.9)).toBe(true);
    // Outputs listed for download are the items' images: the accepted ones, one per item.
    const listed: string[] = [];
    for await (const output of farm.client.listOutputs(batchId)) listed.push(output.key);
    expect(listed).toEqual(outputs.filter((o) => o.accepted).map((o) => o.key));
    // Rows = objects, checksums equal; one accepted output per item at most.
    expect(await inspectBatch(db, farm.store, batchId)).toEqual({ ...cleanState(attempts) });

    // The score is in the PNG's JSON metadata too, equal to the column, and x100 as CLIPScore.
    const first = outputs[0]!;
    const provenance = JSON.parse(decodePng(await farm.store.get(first.key)).text["atelier"]!) as { clip: { similarity: number; clipScore: number; model: string; fidelity: { matchesOwn: boolean } } };
    expect(provenance.clip.similarity).toBe(first.clip_score);
    expect(provenance.clip.clipScore).toBeCloseTo(100 * first.clip_score, 10);
    expect(provenance.clip).toMatchObject({ model: "test-clip", fidelity: { matchesOwn: true } });
  });

  it("atelier report prints figures equal to those computed in SQL from the rows", async () => {
    const run = await runAtelier(["report", batchId, "--json", "--coordinator", farm.coordinatorAddress], farm.cliEnv);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.output) as Record<string, number | number[] | string>;
    const { db } = farm.database;
    const [counts] = await db.query<Record<string, number>>(
      `SELECT count(*) FILTER (WHERE i.state = 'done')::int AS accepted_items, count(*) FILTER (WHERE i.state = 'exhausted')::int AS exhausted_items,
              count(*)::int AS items FROM item i WHERE i.batch_id = $1`, [batchId]);
    const [rows] = await db.query<{ outputs: number; rejected: number; scores: number[]; checked: number; matched: number }>(
      `SELECT count(*)::int AS outputs, count(*) FILTER (WHERE NOT accepted)::int AS rejected,
              array_agg(clip_score ORDER BY clip_score) FILTER (WHERE clip_score IS NOT NULL) AS scores,
              count(*) FILTER (WHERE accepted AND fidelity IS NOT NULL)::int AS checked,
              count(*) FILTER (WHERE accepted AND fidelity->>'matchesOwn' = 'true')::int AS matched
       FROM output WHERE batch_id = $1`, [batchId]);
    expect(report).toMatchObject({
      batchId, items: counts!.items, acceptedItems: counts!.accepted_items, exhaustedItems: counts!.exhausted_items,
      outputs: rows!.outputs, rejectedOutputs: rows!.rejected, scoredOutputs: rows!.scores.length,
      fidelityChecked: rows!.checked, fidelityMatched: rows!.matched,
    });
    expect(report).toMatchObject({ items: 7, acceptedItems: 5, exhaustedItems: 2, outputs: 11, rejectedOutputs: 6, fidelityChecked: 5, fidelityMatched: 4 });
    expect(report["rejectedShare"]).toBeCloseTo(rows!.rejected / rows!.outputs, 12);
    expect(report["fidelityRate"]).toBeCloseTo(rows!.matched / rows!.checked, 12);
    const deciles = report["scoreDeciles"] as number[];
    expect(deciles).toHaveLength(11);
    deciles.forEach((value, i) => expect(value).toBeCloseTo(percentile(rows!.scores, i / 10), 12));

    const text = await runAtelier(["report", batchId, "--coordinator", farm.coordinatorAddress], farm.cliEnv);
    expect(text.output).toMatch(/accepted 5, exhausted 2/);
    expect(text.output).toMatch(/outputs 11, rejected 6 \(54\.5%\)/);
    expect(text.output).toMatch(/fidelity: 4\/5 match their own prompt best \(80\.0%\)/);
  });
});
