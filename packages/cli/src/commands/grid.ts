import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { configFields } from "@atelier/common";
import { drawSweepGrids, SweepGridError, type SweepImage } from "@atelier/dataset/grid";
import { z } from "zod";
import { CliError } from "../cli-error.ts";
import { connect, COORDINATOR_OPTION } from "../client-options.ts";
import { fetchOutput } from "../download-outputs.ts";
import { parseFlags } from "../flags.ts";

// A grid holds every image in memory; past this the images belong in an export, not a picture.
const MAX_GRID_IMAGES = 10_000;
const DOWNLOADS_IN_FLIGHT = 8;

const gridFlags = z.object({
  out: z.string().default("."),
  /** Edge of the square each image is fitted into; default: the images' own size. */
  tile: configFields.integer(8, 4096).optional(),
});

/**
 * `atelier grid BATCH`: for a batch made from a plan with X/Y(/Z) axes, one
 * labelled grid image per Z value (A1111's X/Y/Z plot), from the batch's
 * finished outputs.
 */
export async function gridCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COORDINATOR_OPTION, out: { type: "string" }, tile: { type: "string" } } });
  const batchId = positionals[0];
  if (!batchId) throw new CliError("usage: atelier grid BATCH [--out DIR] [--tile PX]", 2);
  const flags = parseFlags("grid", gridFlags, values);
  const client = connect(values);
  try {
    const batch = await client.getBatch(batchId);
    const images = async function* (): AsyncGenerator<SweepImage> {
      for await (const output of client.listOutputs(batchId, { urlTtlMs: 15 * 60_000 })) {
        yield { key: output.key, index: Number(output.index), width: output.width, height: output.height, axes: output.axes, image: () => fetchOutput(output) };
      }
    };
    let grids;
    try {
      grids = await drawSweepGrids(batch.axes, images(), { ...(flags.tile ? { tile: flags.tile } : {}), maxImages: MAX_GRID_IMAGES, downloadsInFlight: DOWNLOADS_IN_FLIGHT });
    } catch (error) {
      if (error instanceof SweepGridError) throw new CliError(`batch ${batchId}: ${error.message}`, 2);
      throw error;
    }
    if (grids.images === 0) throw new CliError(`batch ${batchId} has no finished images yet`, 1);

    await mkdir(flags.out, { recursive: true });
    const paged = batch.axes.some((a) => a.name === "z");
    for (const page of grids.pages) {
      const file = join(flags.out, paged ? `${batchId}-grid-z${page.z + 1}.png` : `${batchId}-grid.png`);
      await writeFile(file, page.png);
      console.log(`${file}${page.title ? `  (${page.title})` : ""}`);
    }
    const missing = Number(batch.total) - grids.images;
    if (missing > 0) console.error(`warning: ${missing} of the batch's ${batch.total} images are not finished; their places are empty`);
  } finally {
    client.close();
  }
}
