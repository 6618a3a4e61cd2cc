import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

// Writes a generated model folder atomically: files go to a staging folder
// that is renamed into place, so agents starting together never load a
// half-written model, and a copy of the same version is left alone.

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function hasVersion(modelDir: string, versionKey: string, version: string): Promise<boolean> {
  try {
    const index = JSON.parse(await readFile(join(modelDir, "model_index.json"), "utf8")) as Record<string, unknown>;
    return index[versionKey] === version;
  } catch {
    return false;
  }
}

/** Writes `files` to `<dir>/<name>` unless that version is already there; returns the folder. */
export async function writeModelDirectory(dir: string, name: string, versionKey: string, version: string, files: () => Map<string, Uint8Array>): Promise<string> {
  const target = join(dir, name);
  if (await hasVersion(target, versionKey, version)) return target;
  await mkdir(dir, { recursive: true });
  const staging = await mkdtemp(join(dir, `.${name}-staging-`));
  try {
    for (const [path, bytes] of files()) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), bytes);
    }
    if (await hasVersion(target, versionKey, version)) return target;
    // An older version (or a broken copy) is replaced whole. A missing one is
    // not "removed", so callers racing on a fresh folder never delete a copy
    // another process has just put in place.
    if (await exists(target)) await rm(target, { recursive: true, force: true });
    try {
      await rename(staging, target);
    } catch (error) {
      // Another process renamed its copy in first; that copy is as good as ours.
      if (await hasVersion(target, versionKey, version)) return target;
      throw error;
    }
    return target;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
