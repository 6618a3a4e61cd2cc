import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AxeViolation, axeViolations, type Chromium, launchChromium, shownText } from "../support/chromium.ts";
import { REPO_ROOT, waitFor } from "../support/cli-process.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { freePort } from "../support/free-port.ts";
import { promptAt, promptSpecs } from "../support/prompt-files.ts";

// The admin dashboard in Debian's Chromium against a real farm: a
// coordinator and two agents as processes on Postgres, NATS and S3.

const TOKEN = "browser-test-admin-token-42";
const ARTIFACTS = join(REPO_ROOT, "test-artifacts");
const settings = { model: "atelier-demo", width: 64, height: 64, steps: 10, guidance: 7.5, sampler: "euler" };
const SEED_BASE = 7_000;
/** Live updates arrive within a second or two; CI machines can be slow. */
const SLOW = { timeout: 15_000 };
const items = (n: number) => promptSpecs(n, SEED_BASE);

/** What the tests read of an <img> (this project compiles without the DOM library). */
interface ImageElement {
  complete: boolean;
  naturalWidth: number;
}

/** A metric's value in Prometheus text, summed over its label sets. */
function metric(text: string, name: string): number {
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "gm"))].reduce((sum, match) => sum + Number(match[1]), 0);
}

describe("the dashboard in Chromium", () => {
  let farm: FarmFixture;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let agentPorts: number[];
  let chromium: Chromium;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // One attempt per item, so that a poison item fails for good at once; webhooks may reach the test receiver on loopback.
    farm = await startFarm({ coordinatorEnv: { ATELIER_ADMIN_TOKEN: TOKEN, ATELIER_LOAD_SAMPLE_MS: "1000", ATELIER_MAX_ATTEMPTS: "1", ATELIER_WEBHOOK_ALLOW_NETWORKS: "127.0.0.0/8" } });
    // A model the agents announce but cannot load: every render of it fails.
    mkdirSync(join(farm.modelsDir, "broken"));
    writeFileSync(join(farm.modelsDir, "broken", "model_index.json"), "{}");
    base = `http://127.0.0.1:${farm.httpPort}`;
    agentPorts = [await freePort(), await freePort()];
    await Promise.all(["gpu-a", "gpu-b"].map((name, n) => farm.startAgent(name, { ATELIER_AGENT_HTTP_PORT: String(agentPorts[n]) })));
    chromium = await launchChromium({ viewport: { width: 1440, height: 900 }, colorScheme: "dark" });
    ({ context, page } = chromium);
  });
  afterAll(async () => {
    await chromium?.close();
    await farm?.close();
  });

  const text = (selector: string) => shownText(page, selector);
  const count = async (selector: string) => Number((await text(selector)).replace(/,/g, ""));
  /** A figure the dashboard shows compactly: "930", "1.2k", "3.4M". */
  const compactCount = async (selector: string) => {
    const [, value = "", unit = ""] = /^([\d.]+)([kMG]?)$/.exec(await text(selector)) ?? [];
    return Number(value) * ({ "": 1, k: 1e3, M: 1e6, G: 1e9 }[unit] ?? Number.NaN);
  };

  it("refuses the API without a session, and shows sign-in", async () => {
    await page.goto(base);
    await page.locator('input[name="token"]').waitFor();
    const answer = await page.evaluate(async () => {
      const response = await fetch("/api/agents");
      return { status: response.status, body: await response.text() };
    });
    expect(answer).toEqual({ status: 401, body: JSON.stringify({ error: "sign in with the admin token" }) });

    await page.fill('input[name="token"]', "not-the-token");
    await page.click('button[type="submit"]');
    await expect.poll(() => text(".sign-in .error"), SLOW).toBe("that is not an admin token");
    expect(await axeViolations(page)).toEqual([]);
  });

  it("signs in with the token into an HttpOnly, SameSite=Strict session, and shows the agents", async () => {
    await page.fill('input[name="token"]', TOKEN);
    await page.click('button[type="submit"]');
    for (const name of ["gpu-a", "gpu-b"]) {
      await expect.poll(() => text(`.agents-row[data-agent="${name}"] .c-status`), { timeout: 10_000 }).toBe("online");
    }
    await expect.poll(() => text('[data-kpi="agents"]'), { timeout: 10_000 }).toBe("2");
    const [cookie] = await context.cookies(base);
    expect(cookie).toMatchObject({ name: "atelier_session", httpOnly: true, sameSite: "Strict" });
    expect(await page.evaluate("document.cookie")).toBe("");
  });

  it("watches a running batch's progress advance without reloading, with its rate and ETA", async () => {
    const { batchId } = await farm.client.submitBatch({ tenant: "studio", name: "browser-watch", priority: 0, baseSeed: 0, defaults: settings }, items(160));
    await page.click('a[data-nav="batches"]');
    await page.click(`tr[data-batch="${batchId}"] a`);
    await page.locator('[data-stat="total"]', { hasText: "160" }).waitFor();
    await page.evaluate("window.notReloaded = true");
    const seen = new Set<number>();
    await expect.poll(async () => {
      seen.add(await count('[data-stat="done"]'));
      return seen.size;
    }, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(3);
    const values = [...seen];
    expect(values).toEqual([...values].sort((a, b) => a - b));
    await expect.poll(() => text('[data-stat="rate"]'), { timeout: 10_000 }).toMatch(/\d.*\/min/);
    expect(await page.evaluate("window.notReloaded")).toBe(true);
  }, 90_000);

  it("opens a gallery image and reads its seed", async () => {
    await page.click('a.button:has-text("Gallery")');
    await page.locator('.tile[data-index="5"] img').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.tile[data-index="5"] img').evaluate((img) => (img as unknown as ImageElement).complete && (img as unknown as ImageElement).naturalWidth), SLOW).toBe(64);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-gallery.png") });
    await page.click('.tile[data-index="5"]');
    await expect.poll(() => text('.lightbox [data-field="seed"]'), SLOW).toBe(String(SEED_BASE + 5));
    await expect.poll(() => text('.lightbox [data-field="prompt"]'), SLOW).toBe(promptAt(5));
    // The A1111 text read back from the PNG itself.
    await expect.poll(() => text('.lightbox [data-field="parameters"]'), SLOW).toContain(`Seed: ${SEED_BASE + 5}, Size: 64x64`);
    await expect.poll(() => page.locator(".lightbox-image img").evaluate((img) => (img as unknown as ImageElement).naturalWidth), SLOW).toBe(64);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-gallery-image.png") });
    await page.keyboard.press("Escape");
  }, 90_000);

  it("refuses a cross-site POST riding the session cookie, and the metrics move during a run", async () => {
    const { batchId } = await farm.client.submitBatch({ tenant: "studio", name: "browser-cancel", priority: 0, baseSeed: 0, defaults: settings }, items(3_000));
    const state = async () => (await farm.database.db.query<{ state: string }>(`SELECT state FROM batch WHERE id = $1`, [batchId]))[0]!.state;
    await waitFor("the batch to start", async () => (await state()) === "running");

    // A page on another site posts to the dashboard: the browser keeps the SameSite=Strict cookie home.
    const attackerPort = await freePort();
    const attacker: Server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" }).end(`<form id="f" method="POST" action="${base}/api/batches/${batchId}/cancel"></form>
        <script>fetch(${JSON.stringify(`${base}/api/batches/${batchId}/cancel`)}, { method: "POST", credentials: "include", mode: "no-cors" })
          .finally(() => document.getElementById("f").submit());</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(attackerPort, "127.0.0.1", resolve));
    const attack = await context.newPage();
    try {
      const fetched = attack.waitForResponse((response) => response.url().endsWith("/cancel") && response.request().resourceType() === "fetch");
      const submitted = attack.waitForEvent("request", (request) => request.url().endsWith("/cancel") && request.resourceType() === "document");
      await attack.goto(`http://localhost:${attackerPort}/`);
      // Sent without the cookie, so refused as signed out.
      expect((await fetched).status()).toBe(401);
      await (await submitted).response();
    } finally {
      await attack.close();
      attacker.closeAllConnections();
      await new Promise((resolve) => attacker.close(resolve));
    }
    // Even with the cookie itself, a request from elsewhere is refused.
    const [cookie] = await context.cookies(base);
    const forged = await fetch(`${base}/api/batches/${batchId}/cancel`, {
      method: "POST",
      headers: { cookie: `atelier_session=${cookie!.value}`, origin: `http://localhost:${attackerPort}`, "sec-fetch-site": "cross-site" },
    });
    expect(forged.status).toBe(403);
    expect(await state()).toBe("running");

    const scrape = async () => (await fetch(`${base}/metrics`)).text();
    const agentScrape = async () => (await fetch(`http://127.0.0.1:${agentPorts[0]}/metrics`)).text();
    const [before, agentBefore] = [await scrape(), await agentScrape()];
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const [after, agentAfter] = [await scrape(), await agentScrape()];
    expect(metric(after, "atelier_items_completed_total")).toBeGreaterThan(metric(before, "atelier_items_completed_total"));
    expect(metric(after, "atelier_leases_granted_total")).toBeGreaterThan(metric(before, "atelier_leases_granted_total"));
    expect(metric(after, "atelier_shard_duration_seconds_count")).toBeGreaterThan(0);
    expect(metric(after, "atelier_live_leases")).toBeGreaterThan(0);
    expect(metric(after, "atelier_queue_depth")).toBeGreaterThan(0);
    expect(metric(after, "atelier_items_per_second")).toBeGreaterThan(0);
    expect(metric(agentAfter, "atelier_agent_images_rendered_total")).toBeGreaterThan(metric(agentBefore, "atelier_agent_images_rendered_total"));
    expect(metric(agentAfter, "atelier_agent_step_seconds_count")).toBeGreaterThan(metric(agentBefore, "atelier_agent_step_seconds_count"));
    expect(metric(agentAfter, "atelier_agent_model_load_seconds_count")).toBe(1);

    // The farm page while it works, for the artifacts.
    await page.click('a[data-nav="farm"]');
    await expect.poll(() => text(".agents-row[data-agent=\"gpu-a\"] .c-shard"), { timeout: 10_000 }).toContain("browser-cancel");
    await expect.poll(() => compactCount('[data-kpi="throughput"]'), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.waitForTimeout(1_500);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-farm.png") });
    await page.emulateMedia({ colorScheme: "light" });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-farm-light.png") });
    await page.emulateMedia({ colorScheme: "dark" });
  }, 90_000);

  it("cancels a batch and sees it stop", async () => {
    const [{ id: batchId } = { id: "" }] = await farm.database.db.query<{ id: string }>(`SELECT id FROM batch WHERE name = 'browser-cancel'`);
    await page.goto(`${base}/#/batches/${batchId}`);
    await page.locator('[data-stat="total"]', { hasText: "3,000" }).waitFor();
    await page.click('button[data-action="cancel"]');
    await page.click('dialog button[data-action="confirm"]');
    await expect.poll(() => text(".batch-page .badge"), { timeout: 10_000 }).toBe("cancelled");
    expect(await page.locator('button[data-action="cancel"]').isHidden()).toBe(true);
    const done = await count('[data-stat="done"]');
    expect(await count('[data-stat="cancelled"]')).toBe(3_000 - done);
    // Nothing renders for it any more: the count holds, in the page and in the database.
    await page.waitForTimeout(2_000);
    expect(await count('[data-stat="done"]')).toBe(done);
    const [row] = await farm.database.db.query<{ done: number; open: number }>(
      `SELECT b.done, (SELECT count(*)::int FROM item WHERE batch_id = b.id AND state IN ('queued', 'leased')) AS open FROM batch b WHERE b.id = $1`,
      [batchId],
    );
    expect(row).toEqual({ done, open: 0 });
  });

  it("shows a batch's failures by reason and re-runs them", async () => {
    const poison = (i: number) => ({ ...items(i + 1)[i]!, settings: { ...settings, model: "broken" } });
    const { batchId } = await farm.client.submitBatch({ tenant: "studio", name: "browser-poison", priority: 0, baseSeed: 0, defaults: settings },
      [...items(3), poison(3), poison(4)]);
    await page.goto(`${base}/#/batches/${batchId}`);
    await expect.poll(() => text(".batch-page .badge"), { timeout: 30_000 }).toBe("completed");
    await expect.poll(() => count('[data-stat="failed"]'), SLOW).toBe(2);
    await expect.poll(() => page.locator(".reasons-table tbody tr").count(), SLOW).toBe(1);
    expect(await text(".reasons-table tbody td.error-text")).toMatch(/broken/);
    // The reasons are re-read on progress events, at most every 2 s: their count can trail the batch's failed counter.
    await expect.poll(() => text(".reasons-table tbody td.num"), SLOW).toBe("2");
    // The failed items' rows arrive after the reasons: they are a second request.
    await expect.poll(() => page.locator(".failures-table tbody tr td:first-child").allTextContents(), SLOW).toEqual(["3", "4"]);

    const { db } = farm.database;
    const failedAttempts = () => db.query<{ attempts: number }>(`SELECT attempts FROM item WHERE batch_id = $1 AND state = 'failed' ORDER BY index`, [batchId]);
    expect(await failedAttempts()).toEqual([{ attempts: 1 }, { attempts: 1 }]);
    const shardsBefore = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM shard WHERE batch_id = $1`, [batchId]))[0]!.n;
    await page.click('button[data-action="rerun"]');
    await page.locator(".toast", { hasText: "2 items back in the queue" }).waitFor();
    // They fail again (the model is still broken), each after one fresh attempt.
    await expect.poll(() => text(".batch-page .badge"), { timeout: 30_000 }).toBe("completed");
    await expect.poll(() => count('[data-stat="failed"]'), SLOW).toBe(2);
    expect(await failedAttempts()).toEqual([{ attempts: 1 }, { attempts: 1 }]);
    const shardsAfter = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM shard WHERE batch_id = $1`, [batchId]))[0]!.n;
    expect(shardsAfter).toBeGreaterThan(shardsBefore);
    expect(await count('[data-stat="done"]')).toBe(3);
  }, 90_000);

  it("shows a scored batch's quality report and filters its gallery by CLIP score, as the rows have them", async () => {
    const { db } = farm.database;
    const [{ id: batchId } = { id: "" }] = await db.query<{ id: string }>(`SELECT id FROM batch WHERE name = 'browser-watch'`);
    await waitFor("browser-watch to complete", async () => (await db.query<{ state: string }>(`SELECT state FROM batch WHERE id = $1`, [batchId]))[0]!.state === "completed");
    // Scores as a CLIP gate leaves them: 0.200..0.299 on the accepted images, the first 20 fidelity-checked
    // (every fourth not matching its own prompt), 5 rejected attempts, and 2 items exhausted.
    await db.query(`UPDATE output o SET clip_score = 0.2 + ((i.index * 37) % 100) / 1000.0,
        fidelity = CASE WHEN i.index < 20 THEN jsonb_build_object('matchesOwn', i.index % 4 <> 0, 'own', 0.3, 'counters', '[]'::jsonb) END
      FROM item i WHERE i.id = o.item_id AND o.batch_id = $1`, [batchId]);
    await db.query(`INSERT INTO output (item_id, batch_id, key, sha256, bytes, width, height, agent_id, epoch, accepted, clip_score, seed)
      SELECT o.item_id, o.batch_id, o.key || '.rejected', o.sha256, o.bytes, o.width, o.height, o.agent_id, o.epoch, false, 0.15, o.seed
      FROM output o JOIN item i ON i.id = o.item_id WHERE o.batch_id = $1 AND i.index BETWEEN 100 AND 104`, [batchId]);
    await db.query(`UPDATE output o SET accepted = false, clip_score = 0.12 FROM item i
      WHERE i.id = o.item_id AND o.batch_id = $1 AND i.index IN (150, 151)`, [batchId]);
    await db.query(`UPDATE item SET state = 'exhausted' WHERE batch_id = $1 AND index IN (150, 151)`, [batchId]);
    const [rows] = await db.query<{ accepted: number; exhausted: number; rejected: number; scored: number; checked: number; matched: number }>(
      `SELECT (SELECT count(*)::int FROM item WHERE batch_id = $1 AND state = 'done') AS accepted,
              (SELECT count(*)::int FROM item WHERE batch_id = $1 AND state = 'exhausted') AS exhausted,
              (SELECT count(*)::int FROM output WHERE batch_id = $1 AND NOT accepted) AS rejected,
              (SELECT count(*)::int FROM output WHERE batch_id = $1 AND clip_score IS NOT NULL) AS scored,
              (SELECT count(*)::int FROM output WHERE batch_id = $1 AND accepted AND fidelity IS NOT NULL) AS checked,
              (SELECT count(*)::int FROM output WHERE batch_id = $1 AND accepted AND (fidelity->>'matchesOwn')::boolean) AS matched`,
      [batchId],
    );
    expect(rows).toEqual({ accepted: 158, exhausted: 2, rejected: 7, scored: 165, checked: 20, matched: 15 });

    await page.goto(`${base}/#/batches/${batchId}`);
    await page.locator(".report-panel .histogram tbody tr").first().waitFor(SLOW);
    expect(await count('[data-report="accepted"]')).toBe(rows!.accepted);
    expect(await count('[data-report="rejected"]')).toBe(rows!.rejected);
    expect(await count('[data-report="exhausted"]')).toBe(rows!.exhausted);
    expect(await count('[data-report="scored"]')).toBe(rows!.scored);
    expect(await text('[data-report="rejected-share"]')).toBe(`${((rows!.rejected / 165) * 100).toFixed(1)}%`);
    expect(await text('[data-report="fidelity"]')).toBe("75.0%");
    expect(await text('[data-report="fidelity-detail"]')).toBe(`${rows!.matched} of ${rows!.checked} images match their own prompt best`);
    // Each bin holds the scores the rows put in its range.
    const bins = await page.locator(".histogram tbody tr").evaluateAll((trs) => trs.map((tr) => ({
      from: Number(tr.getAttribute("data-from")),
      to: Number(tr.getAttribute("data-to")),
      accepted: Number(tr.querySelector('[data-field="accepted"]')?.textContent),
      rejected: Number(tr.querySelector('[data-field="rejected"]')?.textContent),
    })));
    const scores = await db.query<{ score: number; accepted: boolean }>(`SELECT clip_score AS score, accepted FROM output WHERE batch_id = $1 AND clip_score IS NOT NULL`, [batchId]);
    expect(bins).toHaveLength(10);
    expect(bins[0]!.from).toBe(0.12);
    expect(bins.at(-1)!.to).toBe(0.299);
    expect(bins.map(({ from, to, accepted, rejected }, n) => {
      const inBin = scores.filter(({ score }) => score >= from && (score < to || (n === bins.length - 1 && score === to)));
      return [accepted, rejected, inBin.filter((s) => s.accepted).length, inBin.filter((s) => !s.accepted).length];
    }).filter(([a, r, wantA, wantR]) => a !== wantA || r !== wantR)).toEqual([]);
    expect(bins.reduce((sum, bin) => sum + bin.accepted + bin.rejected, 0)).toBe(rows!.scored);

    await page.click('a.button:has-text("Gallery")');
    await page.fill('input[name="minScore"]', "0.29");
    await page.click('.score-filter button[type="submit"]');
    const kept = await db.query<{ index: number; score: number }>(
      `SELECT i.index, o.clip_score AS score FROM output o JOIN item i ON i.id = o.item_id
       WHERE o.batch_id = $1 AND o.accepted AND NOT o.quarantined AND o.clip_score >= 0.29 ORDER BY i.index`, [batchId]);
    expect(kept.length).toBeGreaterThan(10);
    const tiles = async () => (await page.locator(".tile[data-index]").evaluateAll((buttons) =>
      buttons.map((b) => [Number(b.getAttribute("data-index")), b.querySelector('[data-field="clip"]')?.textContent ?? ""] as [number, string])))
      .sort(([a], [b]) => a - b);
    await expect.poll(tiles, SLOW).toEqual(kept.map(({ index, score }) => [index, `CLIP ${score.toFixed(3)}`]));
    await page.locator('.tile[data-index] img').first().waitFor(SLOW);
  }, 60_000);

  it("lists webhook endpoints, sends a test event and shows its delivery as the database records it", async () => {
    const received: string[] = [];
    const receiver: Server = createServer((request, response) => {
      received.push(String(request.headers["webhook-id"]));
      request.resume();
      request.on("end", () => response.writeHead(200).end());
    });
    const port = await freePort();
    await new Promise<void>((resolve) => receiver.listen(port, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${port}/hooks/atelier`;
      const id = (await farm.client.addWebhook(url, ["item.exhausted"], "studio")).endpoint!.id;
      await page.goto(`${base}/#/webhooks`);
      const row = page.locator(`tr[data-webhook="${id}"]`);
      await row.waitFor(SLOW);
      expect(await row.locator('[data-field="url"]').textContent()).toBe(url);
      expect(await row.locator('[data-field="tenant"]').textContent()).toBe("studio");
      expect(await row.locator('[data-field="events"]').textContent()).toBe("item.exhausted");
      await row.locator('button[data-action="test"]').click();
      await expect.poll(() => text('.deliveries-table tbody [data-field="state"]'), SLOW).toBe("delivered");
      const deliveries = await farm.database.db.query<{ msg_id: string; event_type: string; state: string; attempts: number; last_status: number }>(
        `SELECT msg_id, event_type, state, attempts, last_status FROM webhook_delivery WHERE endpoint_id = $1`, [id]);
      expect(deliveries).toEqual([expect.objectContaining({ state: "delivered", attempts: 1, last_status: 200 })]);
      const [delivery] = deliveries;
      expect(received).toEqual([delivery!.msg_id]);
      const shown = page.locator(".deliveries-table tbody tr");
      expect(await shown.count()).toBe(1);
      expect(await shown.getAttribute("data-message")).toBe(delivery!.msg_id);
      expect(await text('.deliveries-table tbody [data-field="event"]')).toBe(delivery!.event_type);
      expect(await text('.deliveries-table tbody [data-field="attempts"]')).toBe("1");
      expect(await text('.deliveries-table tbody [data-field="status"]')).toBe("200");
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it("shows a tenant's royalty statement and its CSV, with the figures the rows give", async () => {
    const { db } = farm.database;
    const [{ id: batchId } = { id: "" }] = await db.query<{ id: string }>(`SELECT id FROM batch WHERE name = 'browser-watch'`);
    // Ada's terms price her images (0.5, platform 0.3: the essay's example per image); Bo's set only a share.
    await db.query(`INSERT INTO creator (id, tenant_id, created_at) VALUES ('cr-ada', 'studio', '2000-01-01'), ('cr-bo', 'studio', '2000-01-01')`);
    await db.query(`INSERT INTO creator_version (creator_id, display_name, payee, keywords, price_per_image, platform_share, valid_from)
      VALUES ('cr-ada', 'Ada, "the first"', 'IBAN DE00 ADA', '{ada}', 0.5, 0.3, '2000-01-01'), ('cr-bo', 'Bo', 'IBAN DE00 BO', '{bo}', NULL, 0.25, '2000-01-01')`);
    await db.query(`INSERT INTO output_contribution (output_id, creator_id, keyword, contribution, area, intensity)
      SELECT o.id, CASE WHEN i.index < 30 THEN 'cr-ada' ELSE 'cr-bo' END, CASE WHEN i.index < 30 THEN 'ada' ELSE 'bo' END,
             CASE WHEN i.index < 30 THEN 0.3 ELSE 0.2 END, 0.5, 0.1
      FROM output o JOIN item i ON i.id = o.item_id WHERE o.batch_id = $1 AND o.accepted AND i.index < 40`, [batchId]);
    const expected = await db.query<{ creator: string; images: number; payable: string }>(
      `SELECT oc.creator_id AS creator, count(*)::int AS images,
              round(sum(oc.contribution::numeric * coalesce(v.price_per_image, 2) * (1 - v.platform_share)), 2)::text AS payable
       FROM output_contribution oc JOIN output o ON o.id = oc.output_id JOIN creator_version v ON v.creator_id = oc.creator_id
       WHERE o.batch_id = $1 GROUP BY 1 ORDER BY 1`, [batchId]);
    expect(expected).toEqual([{ creator: "cr-ada", images: 30, payable: "3.15" }, { creator: "cr-bo", images: 10, payable: "3.00" }]);

    const today = new Date().toISOString().slice(0, 10);
    await page.goto(`${base}/#/royalties`);
    await page.fill('input[name="tenant"]', "studio");
    await page.fill('input[name="from"]', today);
    await page.fill('input[name="to"]', today);
    await page.click('.royalties-form button[type="submit"]');
    // Bo's terms name no price and none was given: refused, naming what is missing.
    await expect.poll(() => text(".royalties-page .error"), SLOW).toMatch(/Bo \(cr-bo\) has no price per image/);
    await page.fill('input[name="pricePerImage"]', "2");
    await page.click('.royalties-form button[type="submit"]');
    const line = (creator: string, field: string) => text(`.royalties-table tr[data-creator="${creator}"] [data-field="${field}"]`);
    await expect.poll(() => line("cr-ada", "payable"), SLOW).toBe("3.15");
    expect(await Promise.all(["name", "images", "mean", "gross", "platform", "payable"].map((f) => line("cr-ada", f)))).toEqual(['Ada, "the first"', "30", "0.3000", "4.50", "1.35", "3.15"]);
    expect(await Promise.all(["images", "payable"].map((f) => line("cr-bo", f)))).toEqual(["10", expected[1]!.payable]);
    const csv = await page.locator('a[data-action="csv"]').evaluate(async (a) => (await fetch(a.getAttribute("href")!)).text());
    expect(csv).toBe([
      "creator,name,payee,images,mean_contribution,gross,platform_share,payable",
      'cr-ada,"Ada, ""the first""",IBAN DE00 ADA,30,0.3000,4.50,1.35,3.15',
      "cr-bo,Bo,IBAN DE00 BO,10,0.2000,4.00,1.00,3.00",
      "",
    ].join("\r\n"));
  });

  it("drains and undrains an agent from its page", async () => {
    await page.goto(`${base}/#/agents/gpu-b`);
    await page.click('button[data-action="drain"]');
    await page.click('dialog button[data-action="confirm"]');
    await expect.poll(() => text(".agent-page .title-row .badge"), SLOW).toBe("draining");
    expect((await farm.client.listAgents()).find((agent) => agent.id === "gpu-b")?.draining).toBe(true);
    await page.click('button[data-action="undrain"]');
    await expect.poll(() => text(".agent-page .title-row .badge"), SLOW).toBe("online");
    expect((await farm.client.listAgents()).find((agent) => agent.id === "gpu-b")?.draining).toBe(false);
  });

  it("stays light with 500 agents and a 100,000-item batch: only what is in view is rendered or fetched", async () => {
    const { db } = farm.database;
    await db.query(`INSERT INTO agent (id, name, gpu, memory_bytes, providers, models, slots, status, last_seen_at)
      SELECT 'rack-' || lpad(g::text, 3, '0'), 'rack-' || lpad(g::text, 3, '0'), 'NVIDIA L40S', 48 * 1024::bigint ^ 3, '{cuda}', '{sdxl}', 1, 'offline', now()
      FROM generate_series(1, 500) g`);
    // Its model is on no agent, so it waits: a huge batch to browse, not to render.
    await db.query(`INSERT INTO batch (id, tenant_id, name, state, defaults, total) VALUES ('huge', 'studio', 'huge', 'queued', '{}', 100000)`);
    await db.query(`INSERT INTO item (batch_id, index, prompt, seed, model, width, height, steps, guidance, sampler)
      SELECT 'huge', g, 'prompt ' || g, g, 'sdxl', 1024, 1024, 30, 7, 'euler' FROM generate_series(0, 99999) g`);
    try {
      await page.goto(`${base}/#/farm`);
      await expect.poll(() => text(".agents-panel .section-head .muted"), { timeout: 10_000 }).toBe("2 of 502 online");
      const rows = await page.locator(".agents-rows .agents-row").count();
      expect(rows).toBeGreaterThan(5);
      expect(rows).toBeLessThan(40);
      await page.fill('.agents-panel input[type="search"]', "rack-499");
      await expect.poll(() => page.locator(".agents-rows .agents-row").allTextContents(), SLOW).toEqual([expect.stringContaining("rack-499")]);

      const itemRequests: string[] = [];
      page.on("request", (request) => request.url().includes("/api/batches/huge/items") && itemRequests.push(request.url()));
      await page.goto(`${base}/#/batches/huge/gallery`);
      await page.locator('.tile[data-index="0"]').waitFor();
      await page.locator(".gallery-scroll").evaluate((element) => (element.scrollTop = element.scrollHeight));
      await page.locator('.tile[data-index="99999"]').waitFor();
      await expect.poll(() => text('.tile[data-index="99999"] .tile-caption'), SLOW).toBe("#99999seed 99999");
      expect(await page.locator(".tile").count()).toBeLessThan(200);
      // The first page and the last ones: never the whole batch.
      expect(itemRequests.length).toBeLessThanOrEqual(4);
    } finally {
      await db.query(`UPDATE batch SET state = 'cancelled' WHERE id = 'huge'`);
    }
  }, 90_000);

  it("lists what was done through the dashboard in the audit log: who, what, on what, when", async () => {
    await page.goto(`${base}/#/audit`);
    const rows = page.locator(".audit-table tbody tr");
    await rows.first().waitFor(SLOW);
    const events = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? "")));
    // The bootstrap secret signed this browser in; newest first.
    const acts = events.map(([, who, what, on]) => `${who} ${what} ${on}`);
    expect(acts).toEqual(expect.arrayContaining(["bootstrap agent.undrain gpu-b", "bootstrap agent.drain gpu-b"]));
    expect(acts.indexOf("bootstrap agent.undrain gpu-b")).toBeLessThan(acts.indexOf("bootstrap agent.drain gpu-b"));
    expect(acts.filter((act) => act.startsWith("bootstrap batch.cancel "))).toHaveLength(1);
    expect(acts.filter((act) => act.startsWith("bootstrap session.sign-in "))).toHaveLength(1);
    for (const [when] of events) expect(when).toMatch(/\d/);
  });

  it("meets WCAG 2 A and AA as axe-core judges it, on every page and dialog, in both themes", async () => {
    const batchNamed = async (name: string) => (await farm.database.db.query<{ id: string }>(`SELECT id FROM batch WHERE name = $1`, [name]))[0]!.id;
    const [rendered, failed] = [await batchNamed("browser-watch"), await batchNamed("browser-poison")];
    // Each page once its data is on screen: axe judges what is there.
    const pages: [string, string, string][] = [
      ["farm", "#/farm", '.agents-row[data-agent="gpu-a"] .c-status .badge'],
      ["batches", "#/batches?state=all", `tr[data-batch="${failed}"] .badge`],
      // Its failures are on screen when the test above passed.
      ["batch", `#/batches/${failed}`, '[data-stat="total"]'],
      ["gallery", `#/batches/${rendered}/gallery`, '.tile[data-index="0"] img'],
      ["agent", "#/agents/gpu-a", ".agent-page .title-row .badge"],
      ["audit", "#/audit", ".audit-table tbody tr"],
      // Scored by the report test above, and its endpoint.
      ["batch report", `#/batches/${rendered}`, ".report-panel .histogram tbody tr"],
      ["webhooks", "#/webhooks", ".webhooks-table tbody tr"],
      ["royalties", "#/royalties?tenant=studio&pricePerImage=2", ".royalties-table tbody tr"],
      // Ada and Bo, whom the royalties test registered.
      ["creators", "#/creators?tenant=studio", ".creators-table tbody tr"],
    ];
    const found: Record<string, AxeViolation[]> = {};
    for (const colorScheme of ["dark", "light"] as const) {
      await page.emulateMedia({ colorScheme });
      for (const [name, hash, shown] of pages) {
        await page.goto(`${base}/${hash}`);
        await page.locator(shown).first().waitFor(SLOW);
        found[`${name} (${colorScheme})`] = await axeViolations(page);
      }
      await page.goto(`${base}/#/batches/${rendered}/gallery`);
      await page.click('.tile[data-index="0"]');
      await page.locator('.lightbox [data-field="parameters"]').waitFor(SLOW);
      found[`image lightbox (${colorScheme})`] = await axeViolations(page);
      await page.keyboard.press("Escape");
      await page.goto(`${base}/#/agents/gpu-a`);
      await page.click('button[data-action="drain"]');
      await page.locator('dialog button[data-action="confirm"]').waitFor();
      found[`confirm dialog (${colorScheme})`] = await axeViolations(page);
      await page.keyboard.press("Escape");
    }
    await page.emulateMedia({ colorScheme: "dark" });
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((name) => [name, []])));
    expect(Object.keys(found)).toHaveLength(24);
  }, 120_000);

  it("keeps the header and its sign-out button on screen at phone width (390 px)", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const [{ id: scored } = { id: "" }] = await farm.database.db.query<{ id: string }>(`SELECT id FROM batch WHERE name = 'browser-watch'`);
      const phonePages: [string, string][] = [["farm", "#/farm"], ["batches", "#/batches?state=all"], ["agent", "#/agents/gpu-a"], ["audit", "#/audit"],
        ["batch-report", `#/batches/${scored}`], ["gallery-scores", `#/batches/${scored}/gallery?minScore=0.29`], ["webhooks", "#/webhooks"], ["royalties", "#/royalties?tenant=studio&pricePerImage=2"],
        ["creators", "#/creators?tenant=studio"]];
      for (const [name, hash] of phonePages) {
        await page.goto(`${base}/${hash}`);
        await page.locator("main .page").first().waitFor();
        // A full-page screenshot is as wide as the page: wider than the screen means something overflows it.
        const shot = await page.screenshot({ fullPage: true, path: join(ARTIFACTS, `dashboard-phone-${name}.png`) });
        expect(shot.readUInt32BE(16), `${name}: screenshot width`).toBe(390);
        const box = await page.locator('header.topbar button:has-text("Sign out")').boundingBox();
        expect(box, `${name}: sign-out button`).not.toBeNull();
        expect(box!.x, name).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width, name).toBeLessThanOrEqual(390);
      }
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it("signs out: the old session cookie no longer opens anything", async () => {
    const [cookie] = await context.cookies(base);
    await page.click('button:has-text("Sign out")');
    await page.locator('input[name="token"]').waitFor();
    const replay = await fetch(`${base}/api/agents`, { headers: { cookie: `atelier_session=${cookie!.value}` } });
    expect(replay.status).toBe(401);
  });
});
