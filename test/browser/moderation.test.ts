import { decodePng } from "@atelier/diffusion";
import { writeTestModel } from "@atelier/diffusion/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, launchChromium, type Chromium } from "../support/chromium.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";

// The moderation page in Debian's Chromium against a real farm: images the
// test model's safety checker flags (mean red > 0.6) are shown blurred, and
// an admin releases one and deletes the other; the audit log has both. What
// an admin unblurs is the picture itself: agents keep a flagged image's pixels.

const TOKEN = "moderation-test-admin-token-7";
const SLOW = { timeout: 15_000 };

/** What the test reads of an <img> (this project compiles without the DOM library). */
interface ImageElement {
  complete: boolean;
  naturalWidth: number;
}
/** The page's CSS filter of an element, read in the browser. */
const filterOf = (element: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { filter: string } }).getComputedStyle(element).filter;

describe("the moderation page in Chromium", () => {
  let farm: FarmFixture;
  let chromium: Chromium;
  let page: Page;
  let base: string;
  let outputs: { id: string; key: string }[];

  beforeAll(async () => {
    farm = await startFarm({ coordinatorEnv: { ATELIER_ADMIN_TOKEN: TOKEN } });
    await writeTestModel(farm.modelsDir, "demo-checked", { safetyChecker: true });
    await farm.startAgent("checker");
    const header = { tenant: "", name: "flagged", priority: 0, defaults: { model: "demo-checked", width: 64, height: 64, steps: 4, sampler: "euler", guidance: 7.5, hasGuidance: true } };
    const items = ["a red square on a red background", "a red circle on a red background"].map((prompt, i) => ({ prompt, negativePrompt: "", seed: i, hasSeed: true, count: 1, source: "" }));
    const { batchId } = await farm.client.submitBatch(header, items);
    await finalProgress(farm.client, batchId);
    outputs = await farm.database.db.query<{ id: string; key: string }>(
      `SELECT o.id::text, o.key FROM output o JOIN item i ON i.id = o.item_id WHERE o.batch_id = $1 AND o.quarantined ORDER BY i.index`,
      [batchId],
    );
    base = `http://127.0.0.1:${farm.httpPort}`;
    chromium = await launchChromium({ viewport: { width: 1280, height: 800 } });
    ({ page } = chromium);
  }, 180_000);
  afterAll(async () => {
    await chromium?.close();
    await farm?.close();
  });

  it("shows the quarantined images blurred; Release and Delete each take one out of the queue, audited", async () => {
    expect(outputs).toHaveLength(2);
    const [released, deleted] = outputs as [{ id: string; key: string }, { id: string; key: string }];
    await page.goto(`${base}/#/moderation`);
    await page.fill('input[name="token"]', TOKEN);
    await page.click('button[type="submit"]');
    const card = (id: string) => page.locator(`.moderation-card[data-output="${id}"]`);
    await expect.poll(() => page.locator(".moderation-card").count(), SLOW).toBe(2);
    // Loaded, and blurred by the page.
    const image = card(deleted.id).locator("img");
    await expect.poll(() => image.evaluate((img) => (img as unknown as ImageElement).complete && (img as unknown as ImageElement).naturalWidth), SLOW).toBe(64);
    expect(await image.evaluate(filterOf)).toBe("blur(24px)");
    await card(deleted.id).getByRole("button", { name: "Show" }).click();
    expect(await image.evaluate(filterOf)).toBe("none");
    // Red all over, as the checker saw it (it flags mean red > 0.6): not the black square diffusers would leave.
    const shown = decodePng(await image.screenshot());
    const meanOf = (channel: number) => {
      let sum = 0;
      for (let p = channel; p < shown.pixels.length; p += shown.channels) sum += shown.pixels[p]!;
      return sum / (shown.pixels.length / shown.channels) / 255;
    };
    expect(meanOf(0)).toBeGreaterThan(0.6);
    expect(await axeViolations(page)).toEqual([]);

    await card(released.id).locator('[data-action="release"]').click();
    await expect.poll(() => card(released.id).count(), SLOW).toBe(0);
    await card(deleted.id).locator('[data-action="delete"]').click();
    await expect.poll(() => card(deleted.id).count(), SLOW).toBe(0);
    await expect.poll(() => page.locator(".moderation-page [role=status]").textContent(), SLOW).toContain(`Output ${deleted.id} deleted.`);

    const audit = await farm.database.db.query<{ action: string; target: string }>(
      `SELECT action, target FROM audit_event WHERE action IN ('output.release', 'output.delete') ORDER BY id`,
    );
    expect(audit).toEqual([{ action: "output.release", target: released.id }, { action: "output.delete", target: deleted.id }]);
    expect(await farm.store.head(deleted.key)).toBeNull();
    expect(await farm.database.db.query(`SELECT id::text, quarantined, moderation FROM output WHERE id = ANY($1::bigint[]) ORDER BY id`, [[released.id, deleted.id]])).toEqual([
      { id: released.id, quarantined: false, moderation: "released" },
      { id: deleted.id, quarantined: true, moderation: "deleted" },
    ]);
  }, 120_000);
});
