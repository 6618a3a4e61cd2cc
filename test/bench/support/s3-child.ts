import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createS3ObjectStore, type ObjectStore } from "@atelier/coordinator";

export interface S3Child {
  endpoint: string;
  pid: number;
  directory: string;
  accessKeyId: string;
  secretAccessKey: string;
  storeFor(bucket: string): ObjectStore;
  close(): Promise<void>;
}

/**
 * s3rver in a child process. Its objects live in memory-backed /dev/shm when
 * the machine has it: s3rver writes three files per object, and on this
 * kind of VM disk creating a file costs about 0.7 ms, which would measure
 * the disk instead of the farm.
 */
export async function startS3Child(): Promise<S3Child> {
  const root = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const directory = mkdtempSync(join(root, "atelier-bench-s3-"));
  const main = fileURLToPath(new URL("./s3-child-main.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", main, directory], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the S3 server exited with ${code} before it started`)));
    createInterface({ input: child.stdout! }).once("line", resolve);
  });
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    pid: child.pid!,
    directory,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    storeFor(bucket) {
      return createS3ObjectStore({ endpoint, region: "us-east-1", bucket, accessKeyId: "S3RVER", secretAccessKey: "S3RVER", forcePathStyle: true });
    },
    close() {
      closing ??= (async () => {
        child.stdin!.end();
        const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(killer);
        rmSync(directory, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
