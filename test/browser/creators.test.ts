import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AxeViolation, axeViolations, type Chromium, launchChromium, shownText } from "../support/chromium.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";

// The creators page in Debian's Chromium against a real coordinator on
// Postgres: a creator registered, given new terms and removed through the
// page, each step read back from the creator and creator_version rows and the
// audit log; bad terms refused with their message and nothing written.

const TOKEN = "creators-test-admin-token-3";
const SLOW = { timeout: 15_000 };

interface VersionRow {
  display_name: string;
  payee: string;
  keywords: string[];
  price: string | null;
  share: string | null;
  /** valid_to is the next version's valid_from, or null while current. */
  closed_by_next: boolean | null;
}

describe("the creators page in Chromium", () => {
  let farm: FarmFixture;
  let chromium: Chromium;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    farm = await startFarm({ coordinatorEnv: { ATELIER_ADMIN_TOKEN: TOKEN } });
    base = `http://127.0.0.1:${farm.httpPort}`;
    chromium = await launchChromium({ viewport: { width: 1280, height: 800 } });
    ({ page } = chromium);
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    await farm?.close();
  });

  const text = (selector: string) => shownText(page, selector);
  const cell = (id: string, field: string) => text(`.creators-table tr[data-creator="${id}"] [data-field="${field}"]`);
  const versions = (id: string) =>
    farm.database.db.query<VersionRow>(
      `SELECT display_name, payee, keywords, price_per_image::text AS price, platform_share::text AS share,
              valid_to = lead(valid_from) OVER (ORDER BY valid_from) AS closed_by_next
       FROM creator_version WHERE creator_id = $1 ORDER BY valid_from`,
      [id],
    );
  /** Everything a refused change must leave as it was. */
  const written = async () =>
    (await farm.database.db.query<{ creators: number; versions: number; audited: number }>(
      `SELECT (SELECT count(*)::int FROM creator) AS creators, (SELECT count(*)::int FROM creator_version) AS versions,
              (SELECT count(*)::int FROM audit_event WHERE action LIKE 'creator.%') AS audited`,
    ))[0]!;
  const fill = async (values: Record<string, string>) => {
    for (const [name, value] of Object.entries(values)) await page.fill(`.creator-editor input[name="${name}"]`, value);
  };

  it("registers a creator, gives it new terms and removes it, each a versioned row and an audited act", async () => {
    await page.goto(`${base}/#/creators`);
    await page.fill('input[name="token"]', TOKEN);
    await page.click('button[type="submit"]');
    await page.fill('input[name="tenant"]', "studio");
    await page.click('.creators-page form[aria-label="Tenant"] button[type="submit"]');
    await expect.poll(() => text(".creators-page .empty"), SLOW).toBe("This tenant has no creators: register one below.");
    expect(page.url()).toBe(`${base}/#/creators?tenant=studio`);

    await fill({ displayName: "Ada Lovelace", payee: "IBAN DE00 ADA", keywords: "Ada Lovelace, lovelace,  ENCHANTRESS of numbers ", pricePerImage: "0.5", platformShare: "0.3" });
    await page.click('.creator-editor button[data-action="save"]');
    await page.locator(".creators-table tbody tr").first().waitFor(SLOW);
    const [{ id } = { id: "" }] = await farm.database.db.query<{ id: string }>(`SELECT id FROM creator WHERE tenant_id = 'studio' AND removed_at IS NULL`);
    // Keywords are stored as matching sees them: trimmed, lower-cased, one space between words.
    const first: VersionRow = { display_name: "Ada Lovelace", payee: "IBAN DE00 ADA", keywords: ["ada lovelace", "lovelace", "enchantress of numbers"], price: "0.500000", share: "0.300000", closed_by_next: null };
    expect(await versions(id)).toEqual([first]);
    expect(await Promise.all(["name", "payee", "keywords", "price", "share", "version"].map((f) => cell(id, f)))).toEqual(
      ["Ada Lovelace", "IBAN DE00 ADA", "ada lovelace, lovelace, enchantress of numbers", "0.5", "0.3", "1"]);

    // New terms: her own price goes, a new share and one more alias; the first version closes where the second opens.
    await page.click(`.creators-table tr[data-creator="${id}"] button[data-action="edit"]`);
    expect(await page.inputValue('.creator-editor input[name="keywords"]')).toBe("ada lovelace, lovelace, enchantress of numbers");
    await fill({ keywords: "ada lovelace, lovelace, enchantress of numbers, countess lovelace", pricePerImage: "", platformShare: "0.25" });
    await page.click('.creator-editor button[data-action="save"]');
    await expect.poll(() => cell(id, "version"), SLOW).toBe("2");
    expect(await versions(id)).toEqual([
      { ...first, closed_by_next: true },
      { ...first, keywords: [...first.keywords, "countess lovelace"], price: null, share: "0.250000", closed_by_next: null },
    ]);
    expect(await Promise.all(["price", "share", "keywords"].map((f) => cell(id, f)))).toEqual(["—", "0.25", "ada lovelace, lovelace, enchantress of numbers, countess lovelace"]);
    const validFrom = (await farm.database.db.query<{ at: Date }>(`SELECT max(valid_from) AS at FROM creator_version WHERE creator_id = $1`, [id]))[0]!.at;
    expect(await page.locator(`.creators-table tr[data-creator="${id}"] [data-field="since"] time`).getAttribute("datetime")).toBe(validFrom.toISOString());

    // Bad terms: refused by the coordinator, named by field and limit, and nothing written.
    const before = await written();
    await page.click(`.creators-table tr[data-creator="${id}"] button[data-action="edit"]`);
    await fill({ platformShare: "1.5" });
    await page.click('.creator-editor button[data-action="save"]');
    await expect.poll(() => text(".creator-editor .error"), SLOW).toBe("platformShare must be from 0 to 1 (got 1.5)");
    await page.click('.creator-editor button[data-action="cancel"]');
    await fill({ displayName: "Bo", payee: "IBAN DE00 BO", keywords: "bo, -bo-", pricePerImage: "", platformShare: "" });
    await page.click('.creator-editor button[data-action="save"]');
    await expect.poll(() => text(".creator-editor .error"), SLOW).toBe('keywords "-bo-" must be 1 to 100 characters that start and end with a letter or digit');
    expect(await written()).toEqual(before);
    expect(await versions(id)).toHaveLength(2);

    await page.click(`.creators-table tr[data-creator="${id}"] button[data-action="remove"]`);
    await page.click('dialog button[data-action="confirm"]');
    await expect.poll(() => page.locator(`.creators-table tr[data-creator="${id}"]`).count(), SLOW).toBe(0);
    const [removed] = await farm.database.db.query<{ removed: boolean; open: number }>(
      `SELECT c.removed_at IS NOT NULL AS removed, (SELECT count(*)::int FROM creator_version v WHERE v.creator_id = c.id AND v.valid_to IS NULL) AS open
       FROM creator c WHERE c.id = $1`,
      [id],
    );
    expect(removed).toEqual({ removed: true, open: 0 });
    // Past statements keep her: the versions stay.
    expect(await versions(id)).toHaveLength(2);
    const audit = await farm.database.db.query<{ actor: string; action: string; target: string }>(
      `SELECT actor, action, target FROM audit_event WHERE action LIKE 'creator.%' ORDER BY id`,
    );
    expect(audit).toEqual(["creator.add", "creator.update", "creator.remove"].map((action) => ({ actor: "bootstrap", action, target: id })));
  }, 120_000);

  it("meets WCAG 2 A and AA as axe-core judges it, with its confirm dialog, in both themes, and fits a 390 px phone", async () => {
    await farm.database.db.query(`INSERT INTO tenant (id) VALUES ('studio') ON CONFLICT DO NOTHING`);
    await farm.database.db.query(`INSERT INTO creator (id, tenant_id) VALUES ('cr-kim', 'studio')`);
    await farm.database.db.query(`INSERT INTO creator_version (creator_id, display_name, payee, keywords, price_per_image) VALUES ('cr-kim', 'Kim', 'IBAN DE00 KIM', '{kim,"kim the painter"}', 0.4)`);
    const found: Record<string, AxeViolation[]> = {};
    for (const colorScheme of ["dark", "light"] as const) {
      await page.emulateMedia({ colorScheme });
      // From another page: going to the address already shown would not load the view again.
      await page.goto(`${base}/#/farm`);
      await page.goto(`${base}/#/creators?tenant=studio`);
      await page.locator('.creators-table tr[data-creator="cr-kim"]').waitFor(SLOW);
      found[`creators (${colorScheme})`] = await axeViolations(page);
      await page.click('.creators-table tr[data-creator="cr-kim"] button[data-action="remove"]');
      await page.locator('dialog button[data-action="confirm"]').waitFor();
      found[`remove dialog (${colorScheme})`] = await axeViolations(page);
      await page.keyboard.press("Escape");
    }
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((name) => [name, []])));
    expect(Object.keys(found)).toHaveLength(4);
    // Escape kept her.
    expect(await page.locator('.creators-table tr[data-creator="cr-kim"]').count()).toBe(1);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/#/farm`);
    await page.goto(`${base}/#/creators?tenant=studio`);
    await page.locator('.creators-table tr[data-creator="cr-kim"]').waitFor(SLOW);
    // A full-page screenshot is as wide as the page: wider than the screen means something overflows it.
    const shot = await page.screenshot({ fullPage: true });
    expect(shot.readUInt32BE(16)).toBe(390);
    const save = await page.locator('.creator-editor button[data-action="save"]').boundingBox();
    expect(save!.x + save!.width).toBeLessThanOrEqual(390);
  }, 120_000);
});
