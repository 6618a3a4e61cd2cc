// Runs a long-lived command (the coordinator) from one bundle of Atelier's
// TypeScript sources instead of through tsx. tsx's loader keeps a thread with
// a V8 isolate of its own beside the program for the life of the process; for
// `atelier up` that was about 45 MB of an idle coordinator's resident memory
// (test/bench/README.md, "Submit and memory").
//
// The bundle holds the workspace packages' sources only; npm packages stay
// outside it, imported from node_modules by absolute path, so the bundle can
// live in the temporary folder (like tsx's cache: the container image's /app
// is read-only). It is rebuilt whenever a source it was built from, a
// workspace package.json, the lockfile or this file changes, or a dependency
// file it imports or a file of the bundle is gone: every start hashes those
// files (4-6 ms here) and compares them with the manifest written beside the
// bundle. So an edited .ts file runs at the next start, never a stale bundle.
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const OUT_EXTENSION = ".mjs";

/**
 * The file URL of a current bundle of `entry` (a .ts file URL), building it
 * when the cached one is missing or out of date.
 * @param {URL} entry
 * @returns {Promise<string>}
 */
export async function compiledEntry(entry) {
  const entryPath = fileURLToPath(entry);
  const cacheDir = join(tmpdir(), `atelier-compiled-${process.getuid?.() ?? "user"}`);
  ensurePrivateFolder(cacheDir);
  const manifestFile = join(cacheDir, `${sha256(`${REPO_ROOT}\0${entryPath}`).slice(0, 16)}.json`);
  const cached = currentBundle(manifestFile);
  if (cached) return cached;
  return build(entryPath, cacheDir, manifestFile);
}

/**
 * The cache holds code that `up` runs, and the hash in a manifest covers the
 * sources, not the bundle: a folder someone else can write to (made in a
 * shared /tmp before this user's first start, or a link to one) would let
 * them run code as the coordinator. So it must be a real folder of this
 * user's that nobody else can write to.
 */
function ensurePrivateFolder(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const folder = lstatSync(dir);
  const uid = process.getuid?.();
  if (!folder.isDirectory() || (uid !== undefined && (folder.uid !== uid || (folder.mode & 0o022) !== 0))) {
    throw new Error(`${dir} holds the code atelier up runs, so it must be a folder of this user's that no one else can write to; it is not: remove it, or set TMPDIR to a private folder`);
  }
}

/** The bundle named by the manifest, if every file it was built from still hashes the same. */
function currentBundle(manifestFile) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
  } catch {
    return undefined;
  }
  const dir = join(dirname(manifestFile), manifest.dir);
  if (!complete(dir, manifest.outputs)) return undefined;
  if (manifest.externals.some((file) => !existsSync(file))) return undefined;
  if (inputsHash(manifest.inputs) !== manifest.dir) return undefined;
  return pathToFileURL(join(dir, manifest.entry)).href;
}

async function build(entryPath, cacheDir, manifestFile) {
  const esbuild = await import("esbuild");
  const staging = join(cacheDir, `build-${process.pid}-${Date.now()}`);
  const externals = new Set();
  try {
    const result = await esbuild.build({
      entryPoints: [entryPath],
      absWorkingDir: REPO_ROOT,
      outdir: staging,
      outExtension: { ".js": OUT_EXTENSION },
      bundle: true,
      // Each import() stays a chunk of its own, so that what a module loads on first use is not loaded at start.
      splitting: true,
      format: "esm",
      platform: "node",
      // The oldest node package.json#engines allows, so that the bundle does not depend on the node that built it.
      target: "node20.19",
      metafile: true,
      logLevel: "error",
      plugins: [externalPackages(externals), sourceFileUrls()],
    });
    const inputs = [...Object.keys(result.metafile.inputs).map((input) => resolve(REPO_ROOT, input)), ...packageFiles(result.metafile), fileURLToPath(import.meta.url)];
    const dir = inputsHash(inputs);
    const outputs = Object.entries(result.metafile.outputs).map(([file, output]) => ({ file: relative(staging, resolve(REPO_ROOT, file)), entry: Boolean(output.entryPoint) }));
    const manifest = { dir, entry: outputs.find((output) => output.entry).file, outputs: outputs.map((output) => output.file), inputs, externals: [...externals] };
    const target = join(cacheDir, dir);
    // Another start may have built the same sources meanwhile; a folder that lost files (a cleaner of /tmp) is replaced.
    if (!complete(target, manifest.outputs)) {
      rmSync(target, { recursive: true, force: true });
      try {
        renameSync(staging, target);
      } catch (error) {
        // Two starts that found it damaged: the first one's rename won.
        if (!complete(target, manifest.outputs)) throw error;
      }
    }
    const manifestTemp = `${manifestFile}.${process.pid}`;
    writeFileSync(manifestTemp, JSON.stringify(manifest));
    renameSync(manifestTemp, manifestFile);
    pruneUnused(cacheDir);
    return pathToFileURL(join(target, manifest.entry)).href;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    await esbuild.stop();
  }
}

/**
 * npm packages and node's own modules stay imports. An npm package's import
 * becomes the absolute path of the file node would load (esbuild resolves it
 * from the importing source, with node's conditions), since the bundle does
 * not sit inside the repository's node_modules tree.
 */
function externalPackages(externals) {
  return {
    name: "atelier-external-packages",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === "resolving" || args.path.startsWith("@atelier/")) return undefined;
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: "resolving" });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        externals.add(resolved.path);
        return { path: pathToFileURL(resolved.path).href, external: true };
      });
    },
  };
}

/**
 * `import.meta.url` in a source keeps meaning that source's own file (the
 * sources find package.json, proto/, the migrations and packages by it), not
 * the bundle's.
 */
function sourceFileUrls() {
  return {
    name: "atelier-source-file-urls",
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        const text = readFileSync(args.path, "utf8");
        if (!text.includes("import.meta.url")) return undefined;
        const loader = /\.[cm]?ts$/.test(args.path) ? "ts" : "js";
        return { contents: text.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)), loader };
      });
    },
  };
}

/** The package.json of every workspace package the bundle holds (their exports decide what an import resolves to), and the lockfile. */
function packageFiles(metafile) {
  const files = new Set([join(REPO_ROOT, "package.json"), join(REPO_ROOT, "package-lock.json")]);
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^packages\/[^/]+\//.exec(input);
    if (match) files.add(join(REPO_ROOT, match[0], "package.json"));
  }
  return [...files].filter((file) => existsSync(file));
}

/**
 * Removes bundles that no manifest names any more (sources edited since),
 * once they are an hour old: a start that has just built one and not yet
 * written its manifest keeps it. Other starts prune the same folder at the
 * same time, so an entry of `entries` may be gone by the time it is looked at.
 * @param {string} cacheDir
 * @param {import("node:fs").Dirent[]} entries the folder's listing
 */
export function pruneUnused(cacheDir, entries = readdirSync(cacheDir, { withFileTypes: true })) {
  const named = new Set();
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(".json")) continue;
    try {
      named.add(JSON.parse(readFileSync(join(cacheDir, entry.name), "utf8")).dir);
    } catch {
      // Being written by another start: its folder is younger than an hour.
    }
  }
  const hourAgo = Date.now() - 3_600_000;
  for (const entry of entries) {
    if (!entry.isDirectory() || named.has(entry.name)) continue;
    const dir = join(cacheDir, entry.name);
    const folder = statSync(dir, { throwIfNoEntry: false });
    if (folder && folder.mtimeMs < hourAgo) rmSync(dir, { recursive: true, force: true });
  }
}

function complete(dir, outputs) {
  return Array.isArray(outputs) && outputs.every((file) => existsSync(join(dir, file)));
}

function inputsHash(files) {
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(file).update("\0");
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update("(missing)");
    }
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 32);
}

function sha256(text) {
  return createHash("sha256").update(text).digest("hex");
}
