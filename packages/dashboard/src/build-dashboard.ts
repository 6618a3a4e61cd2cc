import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/dashboard: app/ holds the browser sources, dist/ what is served. */
const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const APP_DIR = join(PACKAGE_DIR, "app");
export const DIST_DIR = join(PACKAGE_DIR, "dist");

export interface DashboardAsset {
  /** URL path: "/" for the page, "/assets/<file>" for the rest. */
  path: string;
  body: Buffer;
  contentType: string;
  /** Strong validator for If-None-Match. */
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

function asset(path: string, body: Buffer): DashboardAsset {
  const extension = path === "/" ? ".html" : path.slice(path.lastIndexOf("."));
  return {
    path,
    body,
    contentType: CONTENT_TYPES[extension] ?? "application/octet-stream",
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`,
  };
}

/** Bundles app/ with esbuild, in memory: one script, one stylesheet, the page and its icon. */
export async function bundleDashboard(): Promise<DashboardAsset[]> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: { app: join(APP_DIR, "main.ts") },
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    write: false,
    outdir: "/assets",
    logLevel: "silent",
  });
  const assets = result.outputFiles.map((file) => asset(`/assets/${relative("/assets", file.path)}`, Buffer.from(file.contents)));
  assets.push(asset("/", await readFile(join(APP_DIR, "index.html"))));
  assets.push(asset("/assets/favicon.svg", await readFile(join(APP_DIR, "favicon.svg"))));
  return assets;
}

/** Writes the bundle to dist/ (npm install and `npm run build` do this); the folder is replaced whole. */
export async function buildDashboard(): Promise<string[]> {
  const assets = await bundleDashboard();
  const staging = `${DIST_DIR}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  for (const { path, body } of assets) {
    const file = join(staging, path === "/" ? "index.html" : path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, body);
  }
  await rm(DIST_DIR, { recursive: true, force: true });
  await rename(staging, DIST_DIR);
  return assets.map((a) => a.path);
}

/** Newest modification time under a folder, in ms; 0 when it does not exist. */
export async function newestMtimeMs(dir: string): Promise<number> {
  let newest = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** Reads dist/ back as assets. */
export async function readDist(): Promise<DashboardAsset[]> {
  const entries = await readdir(DIST_DIR, { withFileTypes: true, recursive: true });
  const assets: DashboardAsset[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const path = relative(DIST_DIR, file) === "index.html" ? "/" : `/${relative(DIST_DIR, file)}`;
    assets.push(asset(path, await readFile(file)));
  }
  return assets;
}
