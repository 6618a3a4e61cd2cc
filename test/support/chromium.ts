import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM_PATH, ensureChromium } from "./chromium-install.ts";

export { CHROMIUM_PATH };
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export interface Chromium {
  context: BrowserContext;
  page: Page;
  /** Idempotent. */
  close(): Promise<void>;
}

/** A fresh profile in a temporary folder, removed on close. */
export async function launchChromium(options: { viewport: { width: number; height: number }; colorScheme?: "dark" | "light" }): Promise<Chromium> {
  // The Chromium tests' global setup has installed it; a test that the configuration does not count among
  // them gets the same check here.
  ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), "atelier-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, viewport: options.viewport, colorScheme: options.colorScheme ?? "dark" });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  let closing: Promise<void> | undefined;
  return {
    context,
    page,
    close() {
      closing ??= context.close().finally(() => rmSync(profile, { recursive: true, force: true }));
      return closing;
    },
  };
}

/** One axe-core finding, as much of it as a failure message needs. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

const axeSource: string = (createRequire(import.meta.url)("axe-core") as { source: string }).source;

/**
 * Runs axe-core's WCAG 2 A and AA rules over the page as it is now. axe is
 * evaluated through the DevTools protocol rather than added as a <script>
 * tag: the dashboard's Content-Security-Policy refuses inline scripts, and
 * that refusal is what the page must keep.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(axeSource);
  // A string, as this project compiles without the DOM library.
  return page.evaluate(`(async () => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((node) => node.target.join(" ")) }));
  })()`) as Promise<AxeViolation[]>;
}

/** What the page shows in `selector`'s first match now ("" while there is none): never waits, so that polls keep their own timeouts. */
export async function shownText(page: Page, selector: string): Promise<string> {
  const element = page.locator(selector).first();
  return (await element.count()) > 0 ? ((await element.textContent())?.trim() ?? "") : "";
}
