import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createS3ObjectStore, type ObjectStore } from "@atelier/coordinator";

/** Requests the server received, by kind: PUTs, ranged GETs (verifying reads), everything else. */
export interface S3Requests {
  put: number;
  readBack: number;
  other: number;
}

export interface S3Child {
  endpoint: string;
  pid: number;
  directory: string;
  accessKeyId: string;
  secretAccessKey: string;
  storeFor(bucket: string): ObjectStore;
  /** Requests served so far. */
  requests(): Promise<S3Requests>;
  close(): Promise<void>;
}

/**
 * s3rver in a child process. Its objects live in memory-backed /dev/shm when
 * the machine has it: s3rver writes three files per object, and on this
 * kind of VM disk creating a file costs about 0.7 ms, which would measure
 * the disk instead of the farm.
 *
 * `threadPool` sets the child's libuv pool (UV_THREADPOOL_SIZE; unset: the
 * default four), the threads that make its file-system calls. A PUT makes
 * eight of them, all in the bucket's few directories. On /dev/shm each takes
 * microseconds and waits on no device, so more threads overlap nothing; on
 * two cores, four of them contended with one another and with the farm, and
 * the server spent more CPU per PUT (test/bench/README.md, "The S3 server's
 * thread pool").
 */
export async function startS3Child(options: { notices?: { natsUrl: string; subject: string }; threadPool?: number } = {}): Promise<S3Child> {
  const root = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const directory = mkdtempSync(join(root, "atelier-bench-s3-"));
  const main = fileURLToPath(new URL("./s3-child-main.ts", import.meta.url));
  const notices = options.notices ? [options.notices.natsUrl, options.notices.subject] : [];
  const child = spawn(process.execPath, ["--import", "tsx", main, directory, ...notices], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, ...(options.threadPool ? { UV_THREADPOOL_SIZE: String(options.threadPool) } : {}) },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the S3 server exited with ${code} before it started`)));
    lines.once("line", resolve);
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
    requests() {
      const answer = new Promise<S3Requests>((resolve) => lines.once("line", (line) => resolve(JSON.parse(line) as S3Requests)));
      child.stdin!.write("requests\n");
      return answer;
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

/** The requests between two counts, per item, and their total. */
export function storageRequestsPerItem(before: S3Requests, after: S3Requests, items: number) {
  const per = (n: number) => Math.round((n / items) * 1000) / 1000;
  const put = after.put - before.put;
  const readBack = after.readBack - before.readBack;
  const other = after.other - before.other;
  return { put: per(put), readBack: per(readBack), other: per(other), total: per(put + readBack + other) };
}
