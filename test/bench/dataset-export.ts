// Benchmark: the dataset exporter's memory does not grow with the batch.
// One batch of --large outputs in Postgres (items written as the coordinator
// writes them, outputs by SQL), exported by @atelier/dataset's exportDataset
// in a child process per size, reading rows page by page with
// exportStore.page (the query behind Farm.ExportOutputs) and writing
// WebDataset + Parquet shards of --shard-items to a directory. Every output
// names the same 64x64 PNG (one bytes buffer, sha256 checked per sample), so
// what grows with the batch is rows, keys, tar entries and shards, and the
// figure is the exporter's own. Peak RSS = the child's VmHWM. Images come from
// memory here; `atelier export` downloads them 8 ahead of the writer.
// `--max-old-space-mb N` runs each child with node's --max-old-space-size=N:
// an export that finishes under a small heap at every size is bounded.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { DirectorySink, exportDataset, type SourceRow } from "@atelier/dataset";
import { batchStore, exportStore, openDatabase } from "@atelier/db";
import { createTestDatabase } from "@atelier/db/testing";
import { encodePngImage } from "@atelier/diffusion/png";
import { residentMemoryMb } from "../support/memory-usage.ts";
import { note, numericFlags, printResult, round } from "./support/bench-report.ts";

const PNG = encodePngImage({ width: 64, height: 64, channels: 3, pixels: new Uint8Array(64 * 64 * 3).fill(128), text: { atelier: JSON.stringify({ modelHash: "0123456789" }) } });
const SHA256 = createHash("sha256").update(PNG).digest("hex");
const settings = { model: "bench-model", width: 64, height: 64, steps: 4, guidance: 7.5, sampler: "euler" };

if (process.argv[2] === "--child") {
  // argv: --child DATABASE_URL BATCH_ID SHARD_ITEMS OUT
  const [, , , url, batchId, shardItems, out] = process.argv;
  const db = await openDatabase({ url: url! });
  const started = performance.now();
  const source = async function* (query: { batchId: string; after: { index: number; objectKey: string } | null; includeRejected: boolean; minClipScore: number | null }): AsyncGenerator<SourceRow> {
    let after = query.after ? { index: query.after.index, key: query.after.objectKey } : null;
    for (;;) {
      const page = await exportStore.page(db, { batchId: query.batchId, after, includeRejected: query.includeRejected, minClipScore: query.minClipScore, limit: 200 });
      for (const row of page) {
        yield { ...row, batchId: query.batchId, objectKey: row.key, image: () => Promise.resolve(PNG) };
      }
      if (page.length < 200) return;
      after = { index: page.at(-1)!.index, key: page.at(-1)!.key };
    }
  };
  const run = await exportDataset(source, new DirectorySink(out!), { batches: [batchId!], format: "both", shardItems: Number(shardItems), minClipScore: null, includeRejected: false });
  await db.close();
  process.stdout.write(JSON.stringify({ samples: run.stats.samples, shards: run.stats.shards.length, seconds: (performance.now() - started) / 1000, ...residentMemoryMb(process.pid) }));
  process.exit(0);
}

const flags = numericFlags({ small: 10_000, large: 100_000, shardItems: 1_000, maxOldSpaceMb: 0 });
const database = await createTestDatabase();
const scratch = mkdtempSync(join(tmpdir(), "atelier-export-bench-"));
try {
  const results: Record<string, unknown>[] = [];
  for (const size of [flags.small, flags.large]) {
    const batchId = crypto.randomUUID();
    note(`writing a batch of ${size} items and outputs`);
    await batchStore.begin(database.db, { id: batchId, tenantId: "bench", name: `export-${size}`, priority: 0, defaults: settings, maxAttempts: 5 });
    for (let from = 0; from < size; from += 10_000) {
      const count = Math.min(10_000, size - from);
      await batchStore.append(database.db, batchId, Array.from({ length: count }, (_, k) => ({ ...settings, index: from + k, prompt: `a grey square number ${from + k}`, negativePrompt: "", seed: from + k })));
    }
    await batchStore.commit(database.db, batchId, size);
    await database.db.query(
      `INSERT INTO output (item_id, batch_id, key, sha256, bytes, width, height, agent_id, epoch)
       SELECT id, batch_id, 'bench/' || batch_id || '/' || lpad(index::text, 8, '0') || '-' || seed || '.png', $2, $3, 64, 64, 'bench-agent', 1 FROM item WHERE batch_id = $1`,
      [batchId, SHA256, PNG.byteLength],
    );
    const out = join(scratch, String(size));
    note(`exporting ${size} samples in a child process`);
    const child = spawnSync(process.execPath, [...(flags.maxOldSpaceMb ? [`--max-old-space-size=${flags.maxOldSpaceMb}`] : []), "--import", "tsx", fileURLToPath(import.meta.url), "--child", database.url, batchId, String(flags.shardItems), out], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    if (child.status !== 0) throw new Error(`the export child failed (${child.status})`);
    const figures = JSON.parse(child.stdout) as { samples: number; shards: number; seconds: number; peakMb: number };
    if (figures.samples !== size || readdirSync(out).filter((f) => f.endsWith(".tar")).length !== figures.shards) throw new Error(`exported ${figures.samples} of ${size}`);
    results.push({ outputs: size, shards: figures.shards, seconds: round(figures.seconds, 1), samplesPerSecond: round(size / figures.seconds), peakRssMb: round(figures.peakMb, 1) });
  }
  const [small, large] = results as { peakRssMb: number }[];
  printResult({ bench: "dataset-export", shardItems: flags.shardItems, maxOldSpaceMb: flags.maxOldSpaceMb || null, runs: results, peakGrowthMb: round(large!.peakRssMb - small!.peakRssMb, 1) });
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await database.drop();
}
