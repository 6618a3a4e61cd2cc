import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `node --import` this file to record the modules a process loads (see loaded-modules-hook.mjs). */
export const LOADED_MODULES_HOOK = fileURLToPath(new URL("./loaded-modules-hook.mjs", import.meta.url));

/**
 * The npm packages a process traced by LOADED_MODULES_HOOK into `log` has
 * loaded so far: "pg", "@aws-sdk/client-s3", …, from the last node_modules
 * segment of each file's path; workspace packages by their folder name.
 */
export function loadedPackages(log: string): Set<string> {
  const packages = new Set<string>();
  for (const line of readFileSync(log, "utf8").split("\n")) {
    const path = line.startsWith("file:") ? decodeURIComponent(new URL(line).pathname) : line;
    const inModules = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (inModules) packages.add(inModules[1]!);
    const workspace = /\/packages\/([^/]+)\/src\//.exec(path);
    if (!inModules && workspace) packages.add(`@atelier/${workspace[1]}`);
  }
  return packages;
}
