import { createReadStream } from "node:fs";
import { stat, unlink } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { pipeline } from "node:stream/promises";
import { localStaging, type ExportSink } from "@atelier/dataset";
import type { ObjectStore } from "../storage/index.ts";

// Long enough for a large shard over a slow link; each commit signs its own URL.
const UPLOAD_URL_TTL_MS = 60 * 60_000;

/**
 * An export's files in the farm's own bucket under `prefix`. A shard is
 * staged on local disk by the exporter and streamed from there to a
 * presigned PUT, so a shard never sits in memory whole; the stats file is
 * small and is written with one PUT. `fence` runs before every write and
 * throws once this run may no longer write there (another coordinator took
 * the export over): a run that stalled stops at its next write instead of
 * writing over the new run's files. A write already past its check when
 * the run stalls still lands late; a shard's bytes are the same whichever
 * run writes them, a late _stats.json may list fewer shards than the new
 * run's (a later resume then writes those shards again, identically).
 */
export class BucketSink implements ExportSink {
  readonly location: string;
  private stage: { dir: string; remove(): Promise<void> } | undefined;

  constructor(
    private readonly store: ObjectStore,
    /** ends with "/" */
    private readonly prefix: string,
    private readonly fence: () => Promise<void> = () => Promise.resolve(),
  ) {
    this.location = `s3://${store.bucket}/${prefix}`;
  }

  async staging(): Promise<string> {
    this.stage ??= await localStaging();
    return this.stage.dir;
  }

  async commit(name: string, localPath: string): Promise<void> {
    const key = this.prefix + name;
    const { size } = await stat(localPath);
    const contentType = name.endsWith(".tar") ? "application/x-tar" : "application/vnd.apache.parquet";
    for (let attempt = 1; ; attempt++) {
      await this.fence();
      const url = await this.store.presignPut(key, { contentType, expiresInMs: UPLOAD_URL_TTL_MS, contentLength: size });
      const status = await putFile(url, localPath, size, contentType);
      if (status >= 200 && status < 300) break;
      // Presigned PUTs only create. A shard already there was committed by a
      // run that stopped before it recorded the shard in _stats.json: this
      // one replaces it.
      if (status === 412 && attempt === 1) {
        await this.fence();
        await this.store.delete(key);
        continue;
      }
      throw new Error(`the upload of ${key} to the farm's bucket was refused with HTTP ${status}`);
    }
    await unlink(localPath);
  }

  async put(name: string, bytes: Uint8Array): Promise<void> {
    await this.fence();
    await this.store.put(this.prefix + name, bytes, "application/json");
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    const key = this.prefix + name;
    if (!(await this.store.head(key))) return undefined;
    return this.store.get(key);
  }

  async close(): Promise<void> {
    await this.stage?.remove();
    this.stage = undefined;
  }
}

/** Streams a file to a presigned PUT URL; resolves with the HTTP status. */
function putFile(url: string, path: string, size: number, contentType: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const request = send(target, { method: "PUT", headers: { "content-type": contentType, "content-length": size, "if-none-match": "*" } }, (response) => {
      response.on("error", reject);
      response.on("end", () => resolve(response.statusCode ?? 0));
      response.resume();
    });
    request.on("error", reject);
    pipeline(createReadStream(path), request).catch(reject);
  });
}
