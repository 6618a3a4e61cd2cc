import { creatorStore, type Database } from "@atelier/db";
import { createTestDatabase, type TestDatabase } from "@atelier/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreatorKeywords } from "./creator-keywords.ts";

const terms = { displayName: "Ada Painter", payee: "iban:DE00 1234", keywords: ["ada painter"], pricePerImage: null, platformShare: null };

describe("creator keywords matched at lease time", () => {
  let test: TestDatabase;
  let creatorId: string;
  beforeAll(async () => {
    test = await createTestDatabase();
    creatorId = await creatorStore.add(test.db, { tenantId: "t", ...terms });
  }, 60_000);
  afterAll(() => test?.drop());

  it("reads a tenant's keywords once per refresh, however many prompts ask at once", async () => {
    let reads = 0;
    const counting = new Proxy(test.db, {
      get: (target, key) => key === "query"
        ? (text: string, params?: readonly unknown[]) => (reads++, target.query(text, params))
        : Reflect.get(target, key),
    }) as Database;
    let now = 0;
    const keywords = new CreatorKeywords(counting, () => now);
    const prompts = Array.from({ length: 50 }, (_, i) => (i % 2 ? `a castle by Ada  Painter, ${i}` : `a castle, ${i}`));
    const first = await Promise.all(prompts.map((prompt) => keywords.match("t", prompt)));
    expect(first.filter((found) => found.length > 0)).toHaveLength(25);
    expect(first[1]).toEqual([{ creatorId, keyword: "ada painter" }]);
    expect(reads).toBe(1);
    // Past the refresh interval, fifty callers at once cost one more read, not fifty.
    now = 60_000;
    const second = await Promise.all(prompts.map((prompt) => keywords.match("t", prompt)));
    expect(second).toEqual(first);
    expect(reads).toBe(2);
    // One matcher for a whole lease's prompts: the same answers, no read while fresh.
    const match = await keywords.matcherFor("t");
    expect(prompts.map(match)).toEqual(first);
    expect(reads).toBe(2);
  }, 60_000);
});
