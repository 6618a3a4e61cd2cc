import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { AtelierClient, Output } from "@atelier/sdk";

/**
 * Downloads every output of a batch into `dir` through presigned GET URLs,
 * a few at a time, checking each file against its recorded sha256.
 */
export async function downloadOutputs(client: AtelierClient, batchId: string, dir: string, concurrency = 8): Promise<{ files: string[]; bytes: number }> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  let bytes = 0;
  const inFlight = new Set<Promise<void>>();
  const fetchOne = async (output: Output) => {
    const body = await fetchOutput(output);
    const file = join(dir, basename(output.key));
    await writeFile(file, body);
    files.push(file);
    bytes += body.byteLength;
  };
  for await (const output of client.listOutputs(batchId, { urlTtlMs: 15 * 60_000 })) {
    const task = fetchOne(output).finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  files.sort();
  return { files, bytes };
}

/** One output's bytes through its presigned URL, checked against its recorded sha256. */
export async function fetchOutput(output: Output): Promise<Uint8Array> {
  const response = await fetch(output.url);
  if (!response.ok) throw new Error(`download of ${output.key} failed with HTTP ${response.status}`);
  const body = new Uint8Array(await response.arrayBuffer());
  const sha256 = createHash("sha256").update(body).digest("hex");
  if (sha256 !== output.sha256) throw new Error(`${output.key}: downloaded sha256 ${sha256} differs from the recorded ${output.sha256}`);
  return body;
}
