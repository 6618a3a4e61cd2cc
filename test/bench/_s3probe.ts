import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createS3ObjectStore, startEmbeddedS3 } from "@atelier/coordinator";

const dir = mkdtempSync(join(tmpdir(), "s3probe-"));
const s3 = await startEmbeddedS3({ directory: dir });
const store = createS3ObjectStore({ endpoint: s3.endpoint, region: "us-east-1", bucket: "probe", accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
await store.ensureBucket();
const N = Number(process.argv[2] ?? 3000);
const C = Number(process.argv[3] ?? 32);
const png = new Uint8Array(68);
let t = performance.now();
const urls: string[] = [];
for (let i = 0; i < N; i++) urls.push(await store.presignPut(`t/b/${String(i).padStart(8, "0")}-1.png`, { contentType: "image/png", expiresInMs: 900_000 }));
const presign = performance.now() - t;
async function pool(n: number, f: (i: number) => Promise<void>) { let next = 0; await Promise.all(Array.from({ length: C }, async () => { while (next < n) { const i = next++; await f(i); } })); }
t = performance.now();
await pool(N, async (i) => { const r = await fetch(urls[i]!, { method: "PUT", body: png, headers: { "content-type": "image/png" } }); await r.arrayBuffer(); if (!r.ok) throw new Error(String(r.status)); });
const put = performance.now() - t;
t = performance.now();
await pool(N, async (i) => { const h = await store.head(`t/b/${String(i).padStart(8, "0")}-1.png`); if (!h) throw new Error("missing"); });
const head = performance.now() - t;
console.log(JSON.stringify({ N, C, presignPerSec: Math.round(N / presign * 1000), putPerSec: Math.round(N / put * 1000), headPerSec: Math.round(N / head * 1000) }));
await store.close(); await s3.close(); rmSync(dir, { recursive: true, force: true });
