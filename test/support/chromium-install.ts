import { existsSync } from "node:fs";
import { ensureDebianPackages } from "./debian-packages.ts";

// Debian's Chromium, which playwright-core drives: `npx playwright install`
// cannot download a browser on the machines this project runs on.
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Makes sure Chromium is at CHROMIUM_PATH (see ensureDebianPackages: installed as root, else the command to run). */
export function ensureChromium(log?: (line: string) => void): string {
  ensureDebianPackages(`Chromium at ${CHROMIUM_PATH}`, ["chromium"], () => existsSync(CHROMIUM_PATH), log);
  return CHROMIUM_PATH;
}
