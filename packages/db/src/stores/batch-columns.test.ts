import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../open-database.ts";
import { DATABASE_BACKENDS } from "../testing.ts";
import type { NewItem, RenderSettings } from "../domain.ts";
import { batchStore, emptyItemColumns } from "./batch-store.ts";

const core: RenderSettings = { model: "xl", width: 64, height: 64, steps: 4, guidance: 7.5, sampler: "euler" };
const scored: RenderSettings = { ...core, clip: { score: true, minScore: 0.3 } };
const hires: RenderSettings = { ...core, hires: { scale: 2, steps: 0, denoise: 0.5, upscaler: "bicubic" } };

// 1,200 items: on Postgres a first append of 1,000 or more goes through COPY, where each settings' text is built once.
const ITEMS = 1_200;
const settingsAt = (index: number) => [core, scored, hires][index % 3]!;

describe.each(DATABASE_BACKENDS)("batch items as columns on %s", (_name, open) => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await open()));
  afterAll(() => close());

  const rows = (batchId: string) =>
    db.query<{ index: number; prompt: string; seed: string; guidance: number; options: object }>(
      `SELECT index, prompt, seed::text AS seed, guidance, options FROM item WHERE batch_id = $1 ORDER BY index`,
      [batchId],
    );
  const optionsAt = (index: number) => {
    const { clip, hires: h } = settingsAt(index);
    return { ...(h ? { hires: h } : {}), ...(clip ? { clip } : {}) };
  };

  it("writes columns whose items share settings objects, each row with its own settings", async () => {
    const columns = emptyItemColumns();
    for (let index = 0; index < ITEMS; index++) {
      columns.settings.push(settingsAt(index));
      columns.index.push(index);
      columns.prompt.push(`p${index}\twith a tab`);
      columns.negativePrompt.push("");
      columns.seed.push(4_000_000_000 + index);
    }
    await batchStore.begin(db, { id: "cols", tenantId: "t", name: "", priority: 0, defaults: { ...core }, maxAttempts: 3 });
    await batchStore.append(db, "cols", columns);
    await batchStore.commit(db, "cols", ITEMS);
    const written = await rows("cols");
    expect(written.length).toBe(ITEMS);
    for (const index of [0, 1, 2, 3, 1_198, 1_199]) {
      expect(written[index]).toEqual({ index, prompt: `p${index}\twith a tab`, seed: String(4_000_000_000 + index), guidance: 7.5, options: optionsAt(index) });
    }
  });

  it("items made one by one that differ only in their CLIP check keep their own", async () => {
    const items: NewItem[] = Array.from({ length: ITEMS }, (_, index) => ({ ...settingsAt(index), index, prompt: `p${index}`, negativePrompt: "", seed: index }));
    await batchStore.begin(db, { id: "objs", tenantId: "t", name: "", priority: 0, defaults: { ...core }, maxAttempts: 3 });
    await batchStore.append(db, "objs", items);
    await batchStore.commit(db, "objs", ITEMS);
    const written = await rows("objs");
    expect(written.map((row) => row.options)).toEqual(items.map((item) => optionsAt(item.index)));
  });
});
