import { performance } from "node:perf_hooks";
import type { ObjectStore } from "@atelier/coordinator";
import { PNG_HEADER_BYTES } from "@atelier/diffusion/png";
import { processCpuSeconds } from "./cpu-usage.ts";

const CONCURRENCY = 32;
const BODY = new Uint8Array(70);

/**
 * How fast the object store alone takes the requests every item costs: a
 * presigned PUT (as agents upload) and a ranged GET of the PNG header (as the
 * coordinator verifies: size, ETag and the first bytes in one request),
 * with `CONCURRENCY` in flight, and the server's CPU time per request.
 */
export async function measureObjectStore(store: ObjectStore, serverPid: number, objects: number) {
  const keys = Array.from({ length: objects }, (_, i) => `probe/probe/${String(i).padStart(8, "0")}-0.png`);
  let started = performance.now();
  const urls: string[] = [];
  for (const key of keys) urls.push(await store.presignPut(key, { contentType: "image/png", expiresInMs: 15 * 60_000 }));
  const presignUs = ((performance.now() - started) * 1000) / objects;

  let serverCpu = processCpuSeconds(serverPid);
  started = performance.now();
  await inParallel(objects, async (i) => {
    const response = await fetch(urls[i]!, { method: "PUT", body: BODY, headers: { "content-type": "image/png" } });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`probe PUT refused: HTTP ${response.status}`);
  });
  const putSeconds = (performance.now() - started) / 1000;
  const putServerCpu = processCpuSeconds(serverPid) - serverCpu;

  serverCpu = processCpuSeconds(serverPid);
  started = performance.now();
  await inParallel(objects, async (i) => {
    if ((await store.head(keys[i]!, { firstBytes: PNG_HEADER_BYTES })) === null) throw new Error(`probe object ${keys[i]} is missing`);
  });
  const verifySeconds = (performance.now() - started) / 1000;
  const verifyServerCpu = processCpuSeconds(serverPid) - serverCpu;
  await store.deletePrefix("probe/");
  return {
    presignMicros: Math.round(presignUs),
    putsPerSecond: Math.round(objects / putSeconds),
    verifiesPerSecond: Math.round(objects / verifySeconds),
    serverCpuMsPerPut: Math.round((putServerCpu * 1e6) / objects) / 1000,
    serverCpuMsPerVerify: Math.round((verifyServerCpu * 1e6) / objects) / 1000,
  };
}

async function inParallel(count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) await work(next++);
  }));
}
