import { ensureChromium } from "./chromium-install.ts";

// Vitest global setup of the tests that drive Chromium (see vitest.config.ts):
// runs once, before any of them, and only when one of them is to run.
export default function setup(): void {
  ensureChromium();
}
