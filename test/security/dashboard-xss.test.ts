import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchChromium, type Chromium } from "../support/chromium.ts";
import { waitFor } from "../support/cli-process.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";

// Attack 13 (docs: threat model): text that users and agents control
// (prompts, batch names, agent names, GPU and model names, error texts, and the
// PNG `parameters` text read back from the image) is markup an attacker
// wrote. The dashboard must show it as text: nothing injected, no handler
// run, and no Content-Security-Policy violation (a violation would mean the
// page tried to run or load what the payload asked for, and only the policy
// stopped it).

const TOKEN = "xss-test-admin-token-0123456789";
const settings = { model: "atelier-demo", width: 64, height: 64, steps: 2, guidance: 7.5, sampler: "euler" };
const SLOW = { timeout: 15_000 };

/** Markup that runs script when parsed as HTML: `where` names the field that let it through. */
const payload = (where: string) => `<img src=x onerror="window.__xss.push('${where}')"> ${where} "><svg onload="window.__xss.push('${where}-attr')">`;

const PROMPT = `a lighthouse ${payload("prompt")}`;
const NEGATIVE = payload("negative");
const BATCH_NAME = payload("batch-name");
const AGENT_NAME = payload("agent-name");
const AGENT_GPU = payload("agent-gpu");
const AGENT_MODEL = payload("agent-model");
const ERROR_TEXT = `render failed: ${payload("error")}`;

/** What the page reported: CSP violations, uncaught errors, and any payload that ran. */
interface Findings {
  violations: string[];
  pageErrors: string[];
  ran: string[];
  injected: number;
}

describe("attack 13: markup in user data is shown as text", () => {
  let farm: FarmFixture;
  let chromium: Chromium;
  let page: Page;
  let base: string;
  let renderedBatch: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    farm = await startFarm({ coordinatorEnv: { ATELIER_ADMIN_TOKEN: TOKEN } });
    base = `http://127.0.0.1:${farm.httpPort}`;
    await farm.startAgent("xss-gpu");
    const { batchId } = await farm.client.submitBatch({ tenant: "studio", name: BATCH_NAME, priority: 0, baseSeed: 0, defaults: settings },
      [0, 1, 2].map((seed) => ({ prompt: PROMPT, negativePrompt: NEGATIVE, seed, hasSeed: true, count: 1, source: "" })));
    renderedBatch = batchId;
    const { db } = farm.database;
    await waitFor("the batch to complete", async () => (await db.query<{ state: string }>(`SELECT state FROM batch WHERE id = $1`, [batchId]))[0]?.state === "completed");

    // What only a rogue agent or a broken model would produce: an agent
    // whose names are markup, and failures whose errors are.
    await db.query(`INSERT INTO agent (id, name, gpu, memory_bytes, providers, models, slots, status, last_seen_at)
      VALUES ('xss-row', $1, $2, 1024, '{cpu}', $3, 1, 'offline', now())`, [AGENT_NAME, AGENT_GPU, [AGENT_MODEL]]);
    await db.query(`INSERT INTO tenant (id) VALUES ('studio') ON CONFLICT DO NOTHING`);
    await db.query(`INSERT INTO batch (id, tenant_id, name, state, defaults, total, failed, finished_at) VALUES ('xss-failed', 'studio', $1, 'completed', '{}', 2, 2, now())`, [BATCH_NAME]);
    await db.query(`INSERT INTO item (batch_id, index, prompt, negative_prompt, seed, model, width, height, steps, guidance, sampler, state, attempts, last_error)
      SELECT 'xss-failed', g, $1, $2, g, 'atelier-demo', 64, 64, 2, 7.5, 'euler', 'failed', 1, $3 FROM generate_series(0, 1) g`, [PROMPT, NEGATIVE, ERROR_TEXT]);
    await db.query(`INSERT INTO shard (id, batch_id, agent_id, state, item_count, expires_at, ended_at) VALUES ('xss-shard', 'xss-failed', 'xss-row', 'expired', 2, now(), now())`);

    chromium = await launchChromium({ viewport: { width: 1440, height: 900 } });
    page = chromium.page;
    // Installed before any page script runs: every violation the policy reports, and a trap for payloads that run.
    await page.addInitScript(`window.__xss = []; window.__violations = [];
      document.addEventListener("securitypolicyviolation", (event) => window.__violations.push(event.violatedDirective + " " + event.blockedURI + " " + (event.sample || "")));`);
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(base);
    await page.fill('input[name="token"]', TOKEN);
    await page.click('button[type="submit"]');
    await page.locator('a[data-nav="farm"]').waitFor();
  }, 180_000);
  afterAll(async () => {
    await chromium?.close();
    await farm?.close();
  });

  const text = (selector: string) => page.locator(selector).first().textContent();
  const findings = async (): Promise<Findings> => ({
    ...(await page.evaluate(`({
      violations: window.__violations,
      ran: window.__xss,
      injected: document.querySelectorAll('img[src="x"], [onerror], [onload], svg:not(.chart-svg)').length,
    })`) as Omit<Findings, "pageErrors">),
    pageErrors: [...pageErrors],
  });
  const clean: Findings = { violations: [], pageErrors: [], ran: [], injected: 0 };

  it("sends a strict Content-Security-Policy with every dashboard response", async () => {
    for (const path of ["/", "/api/session", "/assets/app.js"]) {
      const policy = (await fetch(`${base}${path}`)).headers.get("content-security-policy") ?? "";
      expect(policy, path).toContain("script-src 'self'");
      expect(policy, path).toContain("object-src 'none'");
      expect(policy, path).toContain("base-uri 'none'");
      // Enforced Trusted Types: assigning a string to innerHTML (or any script sink) throws.
      expect(policy, path).toContain("require-trusted-types-for 'script'");
      expect(policy, path).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*/);
    }
  });

  it("shows agent names, GPUs and models as text on the farm and agent pages", async () => {
    await page.goto(`${base}/#/farm`);
    await expect.poll(() => text(`.agents-row[data-agent="${AGENT_NAME.replace(/"/g, '\\"')}"] .c-name strong`), SLOW).toBe(AGENT_NAME);
    expect(await findings()).toEqual(clean);

    await page.goto(`${base}/#/agents/xss-row`);
    await expect.poll(() => text(".agent-page h1"), SLOW).toBe(AGENT_NAME);
    expect(await page.locator(".agent-page dd", { hasText: "agent-gpu" }).first().textContent()).toBe(AGENT_GPU);
    expect(await page.locator(".agent-page dd", { hasText: "agent-model" }).first().textContent()).toBe(AGENT_MODEL);
    // The recent shard names its batch.
    await expect.poll(() => page.locator(".agent-page a", { hasText: "batch-name" }).first().textContent(), SLOW).toBe(BATCH_NAME);
    expect(await findings()).toEqual(clean);
  });

  it("shows batch names, prompts and error texts as text on the batch pages", async () => {
    await page.goto(`${base}/#/batches?state=all`);
    await expect.poll(() => text(`tr[data-batch="${renderedBatch}"] strong`), SLOW).toBe(BATCH_NAME);
    await expect.poll(() => text('tr[data-batch="xss-failed"] strong'), SLOW).toBe(BATCH_NAME);
    expect(await findings()).toEqual(clean);

    await page.goto(`${base}/#/batches/xss-failed`);
    await expect.poll(() => text(".batch-page h1"), SLOW).toBe(BATCH_NAME);
    await expect.poll(() => text(".reasons-table tbody td.error-text"), SLOW).toBe(ERROR_TEXT);
    await expect.poll(() => page.locator(".failures-table tbody tr").count(), SLOW).toBe(2);
    expect(await text(".failures-table tbody td.prompt-cell")).toBe(PROMPT);
    expect(await text(".failures-table tbody td.error-text")).toBe(ERROR_TEXT);
    expect(await findings()).toEqual(clean);
  });

  it("shows a failed item's prompt and error as text in the gallery's lightbox", async () => {
    await page.goto(`${base}/#/batches/xss-failed/gallery`);
    await page.click('.tile[data-index="0"]');
    await expect.poll(() => text('.lightbox [data-field="prompt"]'), SLOW).toBe(PROMPT);
    expect(await page.locator(".lightbox p.error").allTextContents()).toContain(ERROR_TEXT);
    expect(await findings()).toEqual(clean);
    await page.keyboard.press("Escape");
  });

  it("shows the PNG's parameters text, read from the rendered image, as text", async () => {
    await page.goto(`${base}/#/batches/${renderedBatch}/gallery`);
    await page.locator('.tile[data-index="1"] img').waitFor(SLOW);
    await page.click('.tile[data-index="1"]');
    await expect.poll(() => text('.lightbox [data-field="prompt"]'), SLOW).toBe(PROMPT);
    // A1111's text: the prompt, then the negative prompt, then the settings line.
    await expect.poll(() => text('.lightbox [data-field="parameters"]'), SLOW).toContain(`${PROMPT}\nNegative prompt: ${NEGATIVE}\n`);
    await expect.poll(() => page.locator(".lightbox-image img").evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), SLOW).toBe(64);
    expect(await findings()).toEqual(clean);
    await page.keyboard.press("Escape");
  });
});
