import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

// Writes a generated model folder atomically. Several agents started at once
// on a fresh machine seed the same models folder together, so:
// - each writes its own staging folder and renames it into place whole: no
//   one ever loads a half-written model;
// - the first rename wins, and the others, finding that version in place,
//   use it (every copy of a version is the same bytes);
// - a folder of another version is moved aside in one rename, never deleted
//   in place, so that no caller removes a copy another has just put there.

export async function versionIn(modelDir: string, versionKey: string, version: string, markerFile = "model_index.json"): Promise<boolean> {
  try {
    const index = JSON.parse(await readFile(join(modelDir, markerFile), "utf8")) as Record<string, unknown>;
    return index[versionKey] === version;
  } catch {
    return false;
  }
}

// Each try either puts our copy in place, finds the version there, or moves an
// outdated folder aside; only a racer replacing it again at each step can
// make one fail.
const MAX_TRIES = 5;

/**
 * Writes `files` to `<dir>/<name>` unless that version is already there (the
 * JSON file `markerFile` holds `versionKey: version`); returns the folder.
 */
export async function writeModelDirectory(
  dir: string, name: string, versionKey: string, version: string, files: () => Map<string, Uint8Array>, markerFile = "model_index.json",
): Promise<string> {
  const target = join(dir, name);
  const hasVersion = (folder: string, key: string, wanted: string) => versionIn(folder, key, wanted, markerFile);
  if (await hasVersion(target, versionKey, version)) return target;
  await mkdir(dir, { recursive: true });
  const staging = await mkdtemp(join(dir, `.${name}-staging-`));
  try {
    for (const [path, bytes] of files()) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), bytes);
    }
    let lastError: unknown;
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      if (await hasVersion(target, versionKey, version)) return target;
      try {
        // Fails when a folder is there (Linux also lets it replace an empty one, which is harmless).
        await rename(staging, target);
        return target;
      } catch (error) {
        lastError = error;
        if (!isTaken(error)) throw error;
      }
      if (await hasVersion(target, versionKey, version)) return target;
      // Another version, or a broken copy: moved aside whole, then removed where no one else looks.
      const aside = await mkdtemp(join(dir, `.${name}-outdated-`));
      const moved = join(aside, name);
      try {
        await rename(target, moved);
        // A racer may have put a current copy there since we looked: it goes back rather than away.
        if (await hasVersion(moved, versionKey, version)) await rename(moved, target).catch(() => undefined);
      } catch (error) {
        // Someone else moved it first; try again.
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      } finally {
        await rm(aside, { recursive: true, force: true });
      }
    }
    throw new Error(`could not put model ${name} in place in ${dir} after ${MAX_TRIES} tries`, { cause: lastError });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** A rename refused because a folder already stands at the target. */
function isTaken(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOTEMPTY" || code === "EEXIST" || code === "EPERM" || code === "EISDIR";
}
