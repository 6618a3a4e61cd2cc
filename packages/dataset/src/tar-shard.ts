import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";

// Every header field that tar would otherwise take from the clock or the
// host is fixed, so that the same samples give the same bytes.
const FIXED_HEADER = { mtime: new Date(0), mode: 0o644, uid: 0, gid: 0, uname: "", gname: "" } as const;

/** The files of one WebDataset sample: extension (without the dot) to bytes, written in the order given. */
export type SampleFiles = [extension: string, bytes: Uint8Array][];

/**
 * Writes a WebDataset tar shard to `path` one sample at a time: each
 * sample's files are consecutive members named `key.ext`, as WebDataset
 * groups them. Memory holds one sample, not the shard.
 */
export class TarShardWriter {
  private readonly pack = tar.pack();
  private readonly done: Promise<void>;

  constructor(path: string) {
    this.done = pipeline(this.pack, createWriteStream(path));
  }

  async add(key: string, files: SampleFiles): Promise<void> {
    if (key.includes(".") || key.includes("/")) throw new Error(`sample key ${JSON.stringify(key)} may hold neither "." nor "/" (WebDataset splits a name at its first dot)`);
    for (const [extension, bytes] of files) {
      await new Promise<void>((resolve, reject) => {
        this.pack.entry({ ...FIXED_HEADER, name: `${key}.${extension}`, size: bytes.byteLength }, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (error) => (error ? reject(error) : resolve()));
      });
    }
  }

  /** Ends the archive and waits until the file holds all of it. */
  async close(): Promise<void> {
    this.pack.finalize();
    await this.done;
  }

  /** Gives up on the shard (its file is left as it is, for the caller to remove). */
  async abort(): Promise<void> {
    this.pack.destroy();
    await this.done.catch(() => undefined);
  }
}
