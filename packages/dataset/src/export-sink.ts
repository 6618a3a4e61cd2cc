import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Where an export's files go. A shard is first written to a local file in
 * `staging`, then committed under its final name whole: a reader (or a
 * resumed export) never sees half a shard under a shard's name.
 */
export interface ExportSink {
  /** for messages: the directory or s3:// address */
  readonly location: string;
  /** a local directory for files being written */
  staging(): Promise<string>;
  /** Moves a finished local file to `name`, replacing what was there. */
  commit(name: string, localPath: string): Promise<void>;
  /** Writes a small file (the stats) whole. */
  put(name: string, bytes: Uint8Array): Promise<void>;
  /** A small file's bytes, or undefined when there is none. */
  get(name: string): Promise<Uint8Array | undefined>;
  /** Removes the staging files. */
  close(): Promise<void>;
}

/** A local directory: shards are staged in its `.partial/` and renamed into place. */
export class DirectorySink implements ExportSink {
  private readonly partial: string;

  constructor(readonly location: string) {
    this.partial = join(location, ".partial");
  }

  async staging(): Promise<string> {
    // What an interrupted run left half-written is of no use: its shard is written again.
    await rm(this.partial, { recursive: true, force: true });
    await mkdir(this.partial, { recursive: true });
    return this.partial;
  }

  async commit(name: string, localPath: string): Promise<void> {
    await rename(localPath, join(this.location, name));
  }

  async put(name: string, bytes: Uint8Array): Promise<void> {
    const temp = join(this.partial, `${name}.tmp`);
    await writeFile(temp, bytes);
    await rename(temp, join(this.location, name));
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(join(this.location, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    await rm(this.partial, { recursive: true, force: true });
  }
}

/** A local staging directory for sinks that are not local (object stores). */
export async function localStaging(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "atelier-export-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
