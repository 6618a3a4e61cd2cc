import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, type Dirent, mkdirSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "@atelier/db/testing";
import { REPO_ROOT, startAtelier, waitFor } from "../support/cli-process.ts";
import { freePort } from "../support/free-port.ts";
import { LOADED_MODULES_HOOK, loadedPackages } from "../support/loaded-modules.ts";
import { natsUrl } from "../support/services.ts";

// `atelier up` runs from a bundle of the sources (packages/cli/bin/compiled-entry.mjs),
// not through tsx, whose loader thread cost a coordinator about 40 MB.
const COMPILED_ENTRY = fileURLToPath(new URL("../../packages/cli/bin/compiled-entry.mjs", import.meta.url));

/** compiledEntry(entry) in a node of its own, as bin/atelier.mjs calls it: the bundle's URL and the exports of the module it loads. */
function runCompiled(entry: string, tempDir: string): { url: string; exports: Record<string, unknown> } {
  const script = "const { compiledEntry } = await import(process.argv[1]); const url = await compiledEntry(new URL(process.argv[2]));"
    + " console.log(JSON.stringify({ url, exports: { ...(await import(url)) } }));";
  // The bundle cache lives in the temporary folder: here the test's own, removed with it.
  const env = { ...process.env, TMPDIR: tempDir };
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script, COMPILED_ENTRY, pathToFileURL(entry).href], { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] })) as never;
}

describe("atelier up, compiled", () => {
  // Inside the repository, so that the fixture's npm imports resolve from its node_modules.
  const dir = join(REPO_ROOT, "test-artifacts", `compiled-entry-${randomBytes(4).toString("hex")}`);
  mkdirSync(dir, { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the sources as they are now: an edited source or a lost bundle file is rebuilt, import.meta.url stays the source's", async () => {
    const entry = join(dir, "entry.ts");
    const dependency = join(dir, "dependency.ts");
    writeFileSync(entry, 'import { z } from "zod";\nexport { value, where } from "./dependency.ts";\nexport const parsed: number = z.number().parse(7);\n');
    writeFileSync(dependency, 'export const value: string = "first";\nexport const where = import.meta.url;\n');
    const first = runCompiled(entry, dir);
    expect(first.exports).toEqual({ value: "first", where: pathToFileURL(dependency).href, parsed: 7 });
    expect(runCompiled(entry, dir).url).toBe(first.url);

    writeFileSync(dependency, 'export const value: string = "second";\nexport const where = import.meta.url;\n');
    const second = runCompiled(entry, dir);
    expect(second.url).not.toBe(first.url);
    expect(second.exports).toEqual({ value: "second", where: pathToFileURL(dependency).href, parsed: 7 });

    // A cleaner of the temporary folder took the bundle's file: the next start builds it again.
    rmSync(fileURLToPath(second.url));
    expect(runCompiled(entry, dir)).toEqual(second);
  });

  it("refuses a cache folder that someone else could write to, or a link in its place, and runs nothing from it", () => {
    const entry = join(dir, "private-entry.ts");
    writeFileSync(entry, 'export const value: string = "mine";\n');
    const cacheName = `atelier-compiled-${process.getuid!()}`;
    const shared = join(dir, "shared-tmp");
    mkdirSync(join(shared, cacheName), { recursive: true });
    chmodSync(join(shared, cacheName), 0o777);
    const linked = join(dir, "linked-tmp");
    mkdirSync(linked);
    symlinkSync(join(shared, cacheName), join(linked, cacheName));
    for (const tempDir of [shared, linked]) {
      expect(() => runCompiled(entry, tempDir)).toThrow(/must be a folder of this user's that no one else can write to/);
    }
    chmodSync(join(shared, cacheName), 0o700);
    expect(runCompiled(entry, shared).exports).toEqual({ value: "mine" });
  });

  it("prunes bundles no manifest names once an hour old, and keeps going past entries another start removed meanwhile", async () => {
    const { pruneUnused } = (await import(pathToFileURL(COMPILED_ENTRY).href)) as { pruneUnused(cacheDir: string, entries?: Dirent[]): void };
    const cache = join(dir, "prune-cache");
    for (const name of ["named", "unnamed-old", "unnamed-new", "removed-meanwhile"]) mkdirSync(join(cache, name), { recursive: true });
    writeFileSync(join(cache, "manifest.json"), JSON.stringify({ dir: "named" }));
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    for (const name of ["named", "unnamed-old", "removed-meanwhile"]) utimesSync(join(cache, name), twoHoursAgo, twoHoursAgo);
    const listing = readdirSync(cache, { withFileTypes: true });
    // Another start's pruning took this one after the listing was read.
    rmSync(join(cache, "removed-meanwhile"), { recursive: true });
    pruneUnused(cache, listing);
    expect(readdirSync(cache).sort()).toEqual(["manifest.json", "named", "unnamed-new"]);
  });

  it("serves without loading tsx", async () => {
    const database = await createTestDatabase();
    const log = join(dir, "modules.log");
    const httpPort = await freePort();
    const coordinator = startAtelier(["up"], {
      NODE_OPTIONS: `--import ${LOADED_MODULES_HOOK}`,
      LOADED_MODULES_LOG: log,
      DATABASE_URL: database.url,
      NATS_URL: await natsUrl(),
      NATS_SUBJECT_PREFIX: `compiled-${randomBytes(4).toString("hex")}`,
      ATELIER_GRPC_HOST: "127.0.0.1",
      ATELIER_HTTP_HOST: "127.0.0.1",
      ATELIER_GRPC_PORT: String(await freePort()),
      ATELIER_HTTP_PORT: String(httpPort),
      LOG_LEVEL: "warn",
    });
    try {
      await waitFor("the coordinator's /healthz", async () => {
        if (coordinator.child.exitCode !== null) throw new Error(`coordinator exited:\n${coordinator.output()}`);
        return (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok;
      });
      const loaded = loadedPackages(log);
      // The trace saw the coordinator's own stack, so the absence below means something.
      expect([...loaded]).toEqual(expect.arrayContaining(["pg", "@grpc/grpc-js", "@prisma/client"]));
      expect(loaded.has("tsx")).toBe(false);
    } finally {
      coordinator.child.kill("SIGTERM");
      await coordinator.exited;
      await database.drop();
    }
  });
});
