import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../open-database.ts";
import { createTestDatabase, DATABASE_BACKENDS, insertSyntheticOutputs, type TestDatabase } from "../testing.ts";
import { creatorStore, MissingTermsError } from "./creator-store.ts";

const DAY = 86_400_000;
const terms = { displayName: "Ada Painter", payee: "iban:DE00 1234", keywords: ["ada painter", "adastyle"], pricePerImage: null, platformShare: null };

describe("royalty statements computed in SQL", () => {
  let test: TestDatabase;
  beforeAll(async () => (test = await createTestDatabase()), 60_000);
  afterAll(() => test?.drop());

  it("reproduces the essay's example: 30,000 images × 0.3 × 0.5 × (1 − 0.3) = 3150.00", async () => {
    const { db } = test;
    const start = new Date("2026-10-01T00:00:00Z");
    const creatorId = await creatorStore.add(db, { tenantId: "essay", effectiveAt: start, ...terms });
    await insertSyntheticOutputs(db, {
      tenantId: "essay", count: 30_000, createdAt: new Date(start.getTime() + DAY), prompt: "a castle by ada painter",
      contributions: [{ creatorId, keyword: "ada painter", contribution: 0.3 }],
    });
    const period = { tenantId: "essay", from: start, to: new Date(start.getTime() + 30 * DAY), pricePerImage: "0.5", platformShare: "0.3" };
    const lines = await creatorStore.statement(db, period);
    expect(lines).toEqual([{ creatorId, displayName: "Ada Painter", payee: "iban:DE00 1234", images: 30_000, meanContribution: "0.3000", gross: "4500.00", platform: "1350.00", payable: "3150.00" }]);
    // Reproducible: the same period gives the same figures.
    expect(await creatorStore.statement(db, period)).toEqual(lines);
    // Outside the period: nothing.
    expect(await creatorStore.statement(db, { ...period, from: new Date(start.getTime() + 2 * DAY) })).toEqual([]);
    // Drill-down: every image behind the figure, each with its own payable.
    const items = await creatorStore.statementItems(db, period, creatorId);
    expect(items).toHaveLength(30_000);
    expect(items[0]).toMatchObject({ keywords: ["ada painter"], contribution: "0.3", price: "0.5", share: "0.3", payable: "0.105000", prompt: "a castle by ada painter" });
    // Without a price anywhere, the statement names what is missing.
    await expect(creatorStore.statement(db, { ...period, pricePerImage: null })).rejects.toThrow(MissingTermsError);
    await expect(creatorStore.statement(db, { ...period, pricePerImage: null })).rejects.toThrow("creator Ada Painter (" + creatorId + ") has no price per image in its terms");
  }, 60_000);

  it("prices each image by the terms valid when it was made, when the terms change mid-period", async () => {
    const { db } = test;
    const start = new Date("2026-11-01T00:00:00Z");
    const creatorId = await creatorStore.add(db, { tenantId: "midway", effectiveAt: start, ...terms, pricePerImage: "0.5", platformShare: "0.3" });
    const change = new Date(start.getTime() + 10 * DAY);
    const updated = await creatorStore.update(db, "midway", creatorId, { pricePerImage: "1.0", platformShare: "0.2", displayName: "Ada P.", effectiveAt: change });
    expect(updated).toMatchObject({ pricePerImage: "1", platformShare: "0.2", displayName: "Ada P.", versions: 2, validFrom: change });
    const contributions = [{ creatorId, keyword: "adastyle", contribution: 0.5 }];
    // 1,000 before the change (0.5 × 0.5 × 0.7 = 0.175 each), 2,000 after (0.5 × 1.0 × 0.8 = 0.4 each), 500 one millisecond before it.
    await insertSyntheticOutputs(db, { tenantId: "midway", count: 1_000, createdAt: new Date(start.getTime() + DAY), prompt: "adastyle", contributions });
    await insertSyntheticOutputs(db, { tenantId: "midway", count: 2_000, createdAt: new Date(change.getTime() + DAY), prompt: "adastyle", contributions });
    await insertSyntheticOutputs(db, { tenantId: "midway", count: 500, createdAt: new Date(change.getTime() - 1), prompt: "adastyle", contributions });
    const lines = await creatorStore.statement(db, { tenantId: "midway", from: start, to: new Date(start.getTime() + 30 * DAY), pricePerImage: "9", platformShare: "0.9" });
    // 1,500 × 0.175 + 2,000 × 0.4 = 262.5 + 800 = 1062.50; gross 1,500 × 0.25 + 2,000 × 0.5 = 1375.
    expect(lines).toEqual([expect.objectContaining({ images: 3_500, gross: "1375.00", payable: "1062.50", platform: "312.50", displayName: "Ada P." })]);
    // Another tenant's statement sees none of it.
    expect(await creatorStore.statement(db, { tenantId: "essay-other", from: start, to: new Date(start.getTime() + 30 * DAY), pricePerImage: "1", platformShare: "0" })).toEqual([]);
    // A change may not reach back before the current terms began: drawn statements stay as they were.
    await expect(creatorStore.update(db, "midway", creatorId, { payee: "x", effectiveAt: start })).rejects.toThrow(/before the current terms began/);
  }, 60_000);
});

describe.each(DATABASE_BACKENDS)("creators on %s", (_name, open) => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await open()), 60_000);
  afterAll(() => close());

  it("adds, lists, updates into a new version, and removes; only live creators' keywords are matched", async () => {
    const id = await creatorStore.add(db, { tenantId: "studio", ...terms });
    const other = await creatorStore.add(db, { tenantId: "studio", ...terms, displayName: "Bo", keywords: ["bo style"] });
    expect((await creatorStore.list(db, "studio")).map((c) => [c.displayName, c.keywords, c.versions])).toEqual([["Ada Painter", ["ada painter", "adastyle"], 1], ["Bo", ["bo style"], 1]]);
    const before = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await creatorStore.update(db, "studio", id, { keywords: ["ada"] })).toMatchObject({ keywords: ["ada"], payee: "iban:DE00 1234", versions: 2 });
    // The old version still answers for its time.
    expect((await creatorStore.list(db, "studio", { at: before })).find((c) => c.id === id)?.keywords).toEqual(["ada painter", "adastyle"]);
    expect(await creatorStore.update(db, "elsewhere", id, { keywords: ["x"] })).toBeNull();
    expect(await creatorStore.remove(db, "studio", other)).toBe(true);
    expect(await creatorStore.remove(db, "studio", other)).toBe(false);
    expect(await creatorStore.update(db, "studio", other, { keywords: ["x"] })).toBeNull();
    expect(await creatorStore.currentKeywords(db, ["studio", "nobody"])).toEqual(new Map([["studio", [{ creatorId: id, keywords: ["ada"] }]]]));
  });
});
