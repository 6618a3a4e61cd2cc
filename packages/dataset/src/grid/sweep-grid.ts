import { contactSheet } from "@atelier/diffusion/png";
import { drawGrid } from "./xyz-grid.ts";

/** One axis of a plan's sweep, as the batch records it. */
export interface SweepAxis {
  /** "x", "y" or "z" */
  name: string;
  /** the setting it varies: sampler, seed, steps, prompt_sr… */
  setting: string;
  values: string[];
}

/** One finished image of a sweep, whoever serves it (the Farm API or the database). */
export interface SweepImage {
  key: string;
  /** the item's index in its batch: the order of images within a cell */
  index: number;
  width: number;
  height: number;
  /** the item's axis values, by axis name */
  axes: Record<string, string>;
  /** its PNG bytes; null for an image that may not be shown (quarantined), drawn as a withheld tile */
  image: (() => Promise<Uint8Array>) | null;
}

export interface SweepGridOptions {
  /** Edge of the square each image is fitted into; default: the first image's longer side, at most `maxTile`. */
  tile?: number;
  /** Without `tile`, the largest tile the first image's size may give. */
  maxTile?: number;
  /** Draw only this Z page (0-based); default: every page. */
  z?: number;
  /** The most images the drawn pages may hold: a grid holds them all in memory. */
  maxImages: number;
  /** Downloads running at once. */
  downloadsInFlight?: number;
}

export interface SweepGridPage {
  /** 0-based position of its Z value; 0 when there is no Z axis */
  z: number;
  /** "Steps: 4" for a Z page, undefined without a Z axis */
  title: string | undefined;
  png: Uint8Array;
}

export interface SweepGrids {
  pages: SweepGridPage[];
  /** images placed on the pages drawn, withheld ones included */
  images: number;
  withheld: number;
}

/** A sweep that cannot be drawn as asked; the message says why and what to do. */
export class SweepGridError extends Error {}

// A1111's axis labels: "Sampler: euler"; prompt S/R cells show the replacement alone.
const SETTING_LABELS: Record<string, string> = {
  seed: "Seed", steps: "Steps", guidance: "CFG Scale", sampler: "Sampler", model: "Model", width: "Width", height: "Height", size: "Size", clip_skip: "Clip skip",
};

export function axisLabel(axis: SweepAxis, value: number): string {
  const text = axis.values[value]!;
  const name = SETTING_LABELS[axis.setting];
  return name ? `${name}: ${text}` : text;
}

/** The axes a grid is drawn over; throws SweepGridError for a batch without an X or Y axis. */
export function gridAxes(axes: readonly SweepAxis[]): { x: SweepAxis | undefined; y: SweepAxis | undefined; z: SweepAxis | undefined } {
  const axis = (name: string) => axes.find((a) => a.name === name);
  const [x, y, z] = [axis("x"), axis("y"), axis("z")];
  if (!x && !y) throw new SweepGridError("the batch has no X or Y axis: a grid needs a batch submitted from a plan with axes");
  return { x, y, z };
}

/**
 * A sweep's labelled X/Y grids, one per Z value (A1111's X/Y/Z plot), from
 * its finished images in any order: each image goes to the cell of its X and
 * Y values, and within a cell images stand in item order.
 */
export async function drawSweepGrids(axes: readonly SweepAxis[], images: AsyncIterable<SweepImage>, options: SweepGridOptions): Promise<SweepGrids> {
  const { x, y, z: zAxis } = gridAxes(axes);
  const zValues = zAxis?.values ?? [""];
  if (options.z !== undefined && !(Number.isInteger(options.z) && options.z >= 0 && options.z < zValues.length)) {
    throw new SweepGridError(`z must be a whole number from 0 to ${zValues.length - 1}, the Z axis's values in order (got ${options.z})`);
  }
  const xCount = x?.values.length ?? 1;
  const yCount = y?.values.length ?? 1;
  const wanted = (zi: number) => options.z === undefined || options.z === zi;
  // cells[z][y * xCount + x]: images with their item index, sorted before drawing.
  const cells = zValues.map(() => Array.from({ length: xCount * yCount }, () => [] as { index: number; png: Uint8Array | null }[]));
  const at = (image: SweepImage, a: SweepAxis | undefined) => (a ? a.values.indexOf(image.axes[a.name] ?? "") : 0);

  let placed = 0;
  let withheld = 0;
  let tile = options.tile ?? 0;
  const inFlight = new Set<Promise<void>>();
  for await (const image of images) {
    const [xi, yi, zi] = [at(image, x), at(image, y), at(image, zAxis)];
    if (xi < 0 || yi < 0 || zi < 0) throw new Error(`output ${image.key} has axis values ${JSON.stringify(image.axes)} that are not the batch's`);
    if (!wanted(zi)) continue;
    if (++placed > options.maxImages) throw new SweepGridError(`the grid would hold more than ${options.maxImages} images; export the batch instead`);
    tile ||= Math.min(options.maxTile ?? Number.POSITIVE_INFINITY, Math.max(image.width, image.height));
    const edge = tile;
    const cell = cells[zi]![yi * xCount + xi]!;
    if (!image.image) {
      withheld++;
      cell.push({ index: image.index, png: null });
      continue;
    }
    // An image larger than the tile is fitted into it as it arrives: a page holds tiles, not whole images.
    const shrink = Math.max(image.width, image.height) > edge;
    const task = image.image()
      .then((png) => void cell.push({ index: image.index, png: shrink ? contactSheet([png], { columns: 1, tile: edge }) : png }))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= (options.downloadsInFlight ?? 8)) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);

  const label = (a: SweepAxis | undefined, v: number) => (a ? axisLabel(a, v) : "");
  const pages: SweepGridPage[] = [];
  if (placed === 0) return { pages, images: 0, withheld: 0 };
  for (let zi = 0; zi < zValues.length; zi++) {
    if (!wanted(zi)) continue;
    const title = zAxis ? axisLabel(zAxis, zi) : undefined;
    const png = drawGrid({
      xLabels: Array.from({ length: xCount }, (_, v) => label(x, v)),
      yLabels: Array.from({ length: yCount }, (_, v) => label(y, v)),
      title,
      cells: cells[zi]!.map((cell) => cell.sort((a, b) => a.index - b.index).map((entry) => entry.png)),
      tile,
    });
    pages.push({ z: zi, title, png });
  }
  return { pages, images: placed, withheld };
}
