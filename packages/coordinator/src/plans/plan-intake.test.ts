import { batchStore } from "@atelier/db";
import { createTestDatabase, type TestDatabase } from "@atelier/db/testing";
import type { ItemSpec, Plan, SubmitBatchRequest__Output } from "@atelier/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { receiveBatch } from "../batch-intake.ts";
import { ValidationError } from "../errors.ts";
import { admitSubmission } from "../tenant-limits.ts";

// A plan through the intake on Postgres: its items and their axis values in
// rows (by COPY when the plan is large), a dry run that writes nothing.

const OPTIONS = { defaults: { model: "atelier-demo", width: 512, height: 512, steps: 20, guidance: 7.5, sampler: "euler" }, maxAttempts: 5, insertChunkItems: 1_000 };
const ISSUE_PLAN: Plan = {
  prompts: ["a {red|blue|green} {circle|square|triangle} on a white background"],
  seeds: [1, 2, 3, 4],
  axes: [{ name: "x", setting: "sampler", values: ["euler", "ddim"] }],
};
const SIZE = { model: "", width: 64, height: 64, steps: 4, sampler: "" };

function planOf(plan: Plan): Required<Plan> {
  return { prompts: [], negativePrompt: "", promptMatrix: false, wildcards: [], seeds: [], seedRange: null, perPrompt: 0, axes: [], ...plan } as Required<Plan>;
}

async function* stream(header: object, ...chunks: ItemSpec[][]): AsyncGenerator<SubmitBatchRequest__Output> {
  yield { header: { tenant: "studio", name: "plan", priority: 0, baseSeed: 100, idempotencyKey: "", defaults: SIZE, plan: null, dryRun: false, ...header }, part: "header" } as SubmitBatchRequest__Output;
  for (const items of chunks) yield { items: { items }, part: "items" } as SubmitBatchRequest__Output;
}

let database: TestDatabase;
const user = { actor: "token:u", tenantId: "studio", admin: false };
const admit = (header: NonNullable<SubmitBatchRequest__Output["header"]>) =>
  admitSubmission(database.db, user, header, { maxQueuedItems: 100_000, userPriority: { min: -5, max: 5 } });
const batchCount = async () => (await database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM batch`))[0]!.n;

describe("a plan through the intake", () => {
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it("writes the issue's plan as 72 items, each with its axis value, and the axes on the batch", async () => {
    const result = await receiveBatch(database.db, stream({ plan: planOf(ISSUE_PLAN) }), OPTIONS, admit);
    expect(result.itemCount).toBe(72);
    const rows = await database.db.query<{ prompt: string; seed: string; sampler: string; axes: unknown; width: number }>(
      `SELECT prompt, seed::text AS seed, sampler, axes, width FROM item WHERE batch_id = $1 ORDER BY index`, [result.batchId]);
    expect(rows).toHaveLength(72);
    expect(rows.slice(0, 2)).toEqual([
      { prompt: "a red circle on a white background", seed: "1", sampler: "euler", axes: { x: "euler" }, width: 64 },
      { prompt: "a red circle on a white background", seed: "1", sampler: "ddim", axes: { x: "ddim" }, width: 64 },
    ]);
    expect(rows.filter((r) => (r.axes as { x: string }).x === r.sampler)).toHaveLength(72);
    expect((await batchStore.get(database.db, result.batchId))!.planAxes).toEqual([{ name: "x", setting: "sampler", values: ["euler", "ddim"] }]);
  });

  it("streams a large plan through COPY with the axis values intact", async () => {
    const plan = planOf({ prompts: ["a {cat|dog} named \\{\"Tab\\\\by\"\\}"], seedRange: { first: 0, count: 1_200 }, axes: [{ name: "y", setting: "steps", values: ["2", "3"] }] });
    const result = await receiveBatch(database.db, stream({ plan }), OPTIONS, admit);
    expect(result.itemCount).toBe(4_800);
    const [summary] = await database.db.query<{ n: number; steps3: number; last: unknown; prompt: string }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE axes->>'y' = '3' AND steps = 3)::int AS steps3,
              (SELECT axes FROM item WHERE batch_id = $1 AND index = 4799) AS last,
              (SELECT prompt FROM item WHERE batch_id = $1 AND index = 0) AS prompt
       FROM item WHERE batch_id = $1`, [result.batchId]);
    expect(summary).toEqual({ n: 4_800, steps3: 2_400, last: { y: "3" }, prompt: 'a cat named {"Tab\\by"}' });
  });

  it("answers a dry run with the count and megapixel-steps, and writes nothing", async () => {
    const before = await batchCount();
    const result = await receiveBatch(database.db, stream({ plan: planOf(ISSUE_PLAN), dryRun: true }), OPTIONS, admit);
    expect(result).toMatchObject({ dryRun: true, batchId: "", itemCount: 72 });
    expect(result.megapixelSteps).toBeCloseTo((72 * 64 * 64 * 4) / 1e6, 9);
    expect(await batchCount()).toBe(before);
  });

  it("refuses item chunks after a plan, and a bad plan, leaving no rows", async () => {
    const before = await batchCount();
    const item: ItemSpec = { prompt: "x", negativePrompt: "", seed: 0, hasSeed: false, count: 1, source: "", settings: SIZE };
    await expect(receiveBatch(database.db, stream({ plan: planOf(ISSUE_PLAN) }, [item]), OPTIONS, admit))
      .rejects.toThrow("a batch with a plan takes no item chunks: the plan makes its items");
    const bad = planOf({ prompts: ["{a|b} car"], axes: [{ name: "x", setting: "prompt_sr", values: ["b", "c"] }] });
    await expect(receiveBatch(database.db, stream({ plan: bad }), OPTIONS, admit)).rejects.toThrow(ValidationError);
    expect(await batchCount()).toBe(before);
    expect((await database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM item WHERE batch_id NOT IN (SELECT id FROM batch)`))[0]!.n).toBe(0);
  });
});
