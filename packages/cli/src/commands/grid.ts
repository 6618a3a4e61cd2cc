import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { configFields } from "@atelier/common";
import type { Batch, Output } from "@atelier/sdk";
import { z } from "zod";
import { CliError } from "../cli-error.ts";
import { connect, COORDINATOR_OPTION } from "../client-options.ts";
import { fetchOutput } from "../download-outputs.ts";
import { parseFlags } from "../flags.ts";
import { drawGrid } from "../grid/xyz-grid.ts";

// A grid holds every image in memory; past this the images belong in an export, not a picture.
const MAX_GRID_IMAGES = 10_000;

type PlanAxis = Batch["axes"][number];
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
    const axis = (name: string): PlanAxis | undefined => batch.axes.find((a) => a.name === name);
    const [x, y, zAxis] = [axis("x"), axis("y"), axis("z")];
    if (!x && !y) throw new CliError(`batch ${batchId} has no X or Y axis: a grid needs a batch submitted from a plan with axes`, 2);
    if (Number(batch.done) > MAX_GRID_IMAGES) throw new CliError(`batch ${batchId} has ${batch.done} images; a grid holds at most ${MAX_GRID_IMAGES} (export the batch instead)`, 2);

    const xCount = x?.values.length ?? 1;
    const yCount = y?.values.length ?? 1;
    const zValues = zAxis?.values ?? [""];
    // cells[z][y * xCount + x]: outputs in item order.
    const cells = zValues.map(() => Array.from({ length: xCount * yCount }, () => [] as { index: number; png: Uint8Array }[]));
    const place = (output: Output) => {
      const at = (a: PlanAxis | undefined) => (a ? a.values.indexOf(output.axes[a.name] ?? "") : 0);
      const [xi, yi, zi] = [at(x), at(y), at(zAxis)];
      if (xi < 0 || yi < 0 || zi < 0) throw new Error(`output ${output.key} has axis values ${JSON.stringify(output.axes)} that are not the batch's`);
      return cells[zi]![yi * xCount + xi]!;
    };

    let images = 0;
    let tile = flags.tile ?? 0;
    const inFlight = new Set<Promise<void>>();
    for await (const output of client.listOutputs(batchId, { urlTtlMs: 15 * 60_000 })) {
      const cell = place(output);
      tile ||= Math.max(output.width, output.height);
      images++;
      const task = fetchOutput(output).then((png) => void cell.push({ index: Number(output.index), png })).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= DOWNLOADS_IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (images === 0) throw new CliError(`batch ${batchId} has no finished images yet`, 1);

    await mkdir(flags.out, { recursive: true });
    const label = (a: PlanAxis | undefined, v: number) => (a ? axisLabel(a, v) : "");
    for (let zi = 0; zi < zValues.length; zi++) {
      const png = drawGrid({
        xLabels: Array.from({ length: xCount }, (_, v) => label(x, v)),
        yLabels: Array.from({ length: yCount }, (_, v) => label(y, v)),
        title: zAxis ? axisLabel(zAxis, zi) : undefined,
        cells: cells[zi]!.map((cell) => cell.sort((a, b) => a.index - b.index).map((image) => image.png)),
        tile,
      });
      const file = join(flags.out, zAxis ? `${batchId}-grid-z${zi + 1}.png` : `${batchId}-grid.png`);
      await writeFile(file, png);
      console.log(`${file}${zAxis ? `  (${axisLabel(zAxis, zi)})` : ""}`);
    }
    const missing = Number(batch.total) - images;
    if (missing > 0) console.error(`warning: ${missing} of the batch's ${batch.total} images are not finished; their places are empty`);
  } finally {
    client.close();
  }
}

// A1111's axis labels: "Sampler: euler"; prompt S/R cells show the replacement alone.
const SETTING_LABELS: Record<string, string> = {
  seed: "Seed", steps: "Steps", guidance: "CFG Scale", sampler: "Sampler", model: "Model", width: "Width", height: "Height", size: "Size", clip_skip: "Clip skip",
};

function axisLabel(axis: PlanAxis, value: number): string {
  const text = axis.values[value]!;
  const name = SETTING_LABELS[axis.setting];
  return name ? `${name}: ${text}` : text;
}
