import { createReadStream } from "node:fs";
import { stat, unlink } from "node:fs/promises";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { localStaging, type ExportSink } from "./export-sink.ts";

/** `s3://bucket/prefix` split into its parts; undefined for anything else. */
export function parseS3Address(address: string): { bucket: string; prefix: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(address);
  if (!match) return undefined;
  const prefix = match[2]!.replace(/\/+$/, "");
  return { bucket: match[1]!, prefix: prefix ? `${prefix}/` : "" };
}

/**
 * An S3 bucket (the user's own, reached with their credentials): shards are
 * staged in a local temporary directory and uploaded whole, one PUT each,
 * so an object under a shard's name is always a whole shard.
 */
export class S3Sink implements ExportSink {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private stage: { dir: string; remove(): Promise<void> } | undefined;

  constructor(address: string, config: S3ClientConfig) {
    const parsed = parseS3Address(address);
    if (!parsed) throw new Error(`--out ${JSON.stringify(address)} is not an s3://bucket/prefix address`);
    this.location = address;
    this.bucket = parsed.bucket;
    this.prefix = parsed.prefix;
    // The SDK's default checksums send a streamed body aws-chunked with a
    // trailer, which S3-compatible servers that do not speak it (s3rver, older
    // gateways) store framing and all.
    this.client = new S3Client({ requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED", ...config });
  }

  async staging(): Promise<string> {
    this.stage ??= await localStaging();
    return this.stage.dir;
  }

  async commit(name: string, localPath: string): Promise<void> {
    const { size } = await stat(localPath);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + name, Body: createReadStream(localPath), ContentLength: size }));
    await unlink(localPath);
  }

  async put(name: string, bytes: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + name, Body: bytes, ContentType: "application/json" }));
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + name }));
      return await object.Body!.transformToByteArray();
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") return undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.stage?.remove();
    this.stage = undefined;
    this.client.destroy();
  }
}
