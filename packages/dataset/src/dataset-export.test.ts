import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodePngImage } from "@atelier/diffusion/png";
import { afterEach, describe, expect, it } from "vitest";
import { DirectorySink, exportDataset, type ExportOptions, type RowQuery, type RowSource, type SourceRow } from "./index.ts";

const BATCH = "0b5c1f3e-6a0e-4f51-9a52-4e3f2b8a7c10";

/** Real PNGs with a provenance chunk, as the pipeline writes them; every fourth one a rejected attempt. */
function makeRows(count: number): SourceRow[] {
  return Array.from({ length: count }, (_, i) => {
    const pixels = new Uint8Array(8 * 8 * 3).fill(i % 251);
    const png = encodePngImage({ width: 8, height: 8, channels: 3, pixels, text: { atelier: JSON.stringify({ model: "demo", modelHash: `hash-${i % 3}`, seed: 100 + i }) } });
    return {
      batchId: BATCH, index: Math.floor(i / 2), objectKey: `t/${BATCH}/${String(Math.floor(i / 2)).padStart(8, "0")}-${100 + i}.png`,
      prompt: `prompt ${i}`, negativePrompt: "", seed: 100 + i, model: "demo", width: 8, height: 8, steps: 4, guidance: 7.5, sampler: "euler",
      options: i % 5 === 0 ? { seedSource: "torch-cpu" } : {}, sha256: createHash("sha256").update(png).digest("hex"), bytes: png.byteLength,
      clipScore: i % 7 === 0 ? null : (i % 10) / 10, accepted: i % 4 !== 3, fidelity: null, axes: { sampler: "euler", i },
      image: () => Promise.resolve(png),
    };
  });
}

/** Serves rows as a database would: filtered, after the cursor, in (index, object key) order. */
function sourceOf(rows: SourceRow[], failAfter = Infinity): RowSource & { served: number } {
  const source = Object.assign(
    async function* (query: RowQuery) {
      for (const row of rows) {
        if (row.batchId !== query.batchId) continue;
        if (query.after && (row.index < query.after.index || (row.index === query.after.index && row.objectKey <= query.after.objectKey))) continue;
        if (!query.includeRejected && !row.accepted) continue;
        if (query.minClipScore !== null && (row.clipScore === null || row.clipScore < query.minClipScore)) continue;
        if (source.served++ >= failAfter) throw new Error("connection lost");
        yield row;
      }
    },
    { served: 0 },
  );
  return source;
}

async function filesOf(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) {
    if (name.startsWith(".")) continue;
    files.set(name, createHash("sha256").update(await readFile(join(dir, name))).digest("hex"));
  }
  return files;
}

describe("exportDataset", () => {
  const dirs: string[] = [];
  const scratch = async () => {
    const dir = await mkdtemp(join(tmpdir(), "dataset-export-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const options: ExportOptions = { batches: [BATCH], format: "both", shardItems: 7, minClipScore: null, includeRejected: true };

  it("writes the same shards twice, and a run cut short then resumed writes them too", async () => {
    const rows = makeRows(40);
    const [first, second, resumed] = [await scratch(), await scratch(), await scratch()];
    const run = await exportDataset(sourceOf(rows), new DirectorySink(first), options);
    expect(run.stats.shards.map((s) => s.samples)).toEqual([7, 7, 7, 7, 7, 5]);
    expect(run.stats).toMatchObject({ complete: true, samples: 40, accepted: 30, rejected: 10 });
    await exportDataset(sourceOf(rows), new DirectorySink(second), options);
    expect(await filesOf(second)).toEqual(await filesOf(first));

    // One image ahead: the failure at row 17 finds rows 15 and 16 in the open third shard.
    await expect(exportDataset(sourceOf(rows, 17), new DirectorySink(resumed), { ...options, prefetch: 1 })).rejects.toThrow("connection lost");
    const cut = JSON.parse(await readFile(join(resumed, "_stats.json"), "utf8")) as { complete: boolean; shards: unknown[] };
    expect(cut).toMatchObject({ complete: false });
    expect(cut.shards).toHaveLength(2);
    const rest = sourceOf(rows);
    const again = await exportDataset(rest, new DirectorySink(resumed), options);
    expect(again.resumedShards).toBe(2);
    expect(rest.served).toBe(40 - 14);
    expect(await filesOf(resumed)).toEqual(await filesOf(first));
    // A finished export run again changes nothing and reads no rows.
    const idle = sourceOf(rows);
    await exportDataset(idle, new DirectorySink(resumed), options);
    expect(idle.served).toBe(0);
  });

  it("resumes across the boundary between two batches", async () => {
    const other = "7d1e2c3b-0000-4000-8000-000000000002";
    const rows = [...makeRows(7), ...makeRows(5).map((row) => ({ ...row, batchId: other, objectKey: row.objectKey.replace(BATCH, other) }))];
    const twoBatches = { ...options, batches: [BATCH, other], shardItems: 7 };
    const [whole, resumed] = [await scratch(), await scratch()];
    await exportDataset(sourceOf(rows), new DirectorySink(whole), twoBatches);
    // The first shard is the whole first batch; the failure comes with the second batch's first row.
    await expect(exportDataset(sourceOf(rows, 8), new DirectorySink(resumed), { ...twoBatches, prefetch: 1 })).rejects.toThrow("connection lost");
    const rest = sourceOf(rows);
    expect((await exportDataset(rest, new DirectorySink(resumed), twoBatches)).resumedShards).toBe(1);
    expect(rest.served).toBe(5);
    expect(await filesOf(resumed)).toEqual(await filesOf(whole));
  });

  it("leaves out rejected attempts and low scores unless asked, and names a resume of other settings", async () => {
    const rows = makeRows(40);
    const dir = await scratch();
    const run = await exportDataset(sourceOf(rows), new DirectorySink(dir), { ...options, includeRejected: false, minClipScore: 0.5 });
    const expected = rows.filter((r) => r.accepted && r.clipScore !== null && r.clipScore >= 0.5).length;
    expect(run.stats).toMatchObject({ samples: expected, rejected: 0 });
    await expect(exportDataset(sourceOf(rows), new DirectorySink(dir), options)).rejects.toThrow(/holds an export of other settings/);
    await expect(exportDataset(sourceOf(rows), new DirectorySink(dir), { ...options, shardItems: 0 })).rejects.toThrow(/shard items must be a whole number from 1 to 100000 \(got 0\)/);
  });

  it("refuses an image whose bytes differ from its row's sha256", async () => {
    const rows = makeRows(3);
    rows[1] = { ...rows[1]!, sha256: "0".repeat(64) };
    await expect(exportDataset(sourceOf(rows), new DirectorySink(await scratch()), options)).rejects.toThrow(/has sha256 [0-9a-f]{64}, but its output row records 0{64}/);
  });
});
