import { decodePng, encodePng } from "@atelier/diffusion/png";
import { describe, expect, it } from "vitest";
import { drawSweepGrids, SweepGridError, type SweepAxis, type SweepImage } from "./sweep-grid.ts";

const TILE = 16;
const AXES: SweepAxis[] = [
  { name: "x", setting: "sampler", values: ["euler", "ddim"] },
  { name: "z", setting: "steps", values: ["2", "4"] },
];

/** A solid square image of one colour, 16 px unless told. */
function solid(rgb: [number, number, number], side = TILE): Uint8Array {
  const pixels = new Uint8Array(side * side * 3);
  for (let i = 0; i < pixels.length; i += 3) pixels.set(rgb, i);
  return encodePng(pixels, side, side);
}

/** Two prompts per cell: item index = z * 4 + prompt * 2 + x, as a plan numbers them (X fastest). */
function images(withheldIndex = -1): SweepImage[] {
  const all: SweepImage[] = [];
  for (let index = 0; index < 8; index++) {
    const [x, prompt, z] = [index % 2, Math.floor(index / 2) % 2, Math.floor(index / 4)];
    const png = solid([index * 30, prompt * 200, z * 200]);
    all.push({ key: `t/b/${index}.png`, index, width: TILE, height: TILE, axes: { x: AXES[0]!.values[x]!, z: AXES[1]!.values[z]! }, image: index === withheldIndex ? null : () => Promise.resolve(png) });
  }
  // Served in any order: the grid puts each where its item index says.
  return all.reverse();
}

async function* stream(list: SweepImage[]): AsyncGenerator<SweepImage> {
  yield* list;
}

const pixel = (img: { width: number; channels: number; pixels: Uint8Array }, x: number, y: number) => [...img.pixels.subarray((y * img.width + x) * img.channels, (y * img.width + x) * img.channels + 3)];

describe("drawSweepGrids", () => {
  it("draws a page per Z value with each image in its cell, in item order, and a withheld image as a grey tile", async () => {
    const grids = await drawSweepGrids(AXES, stream(images(5)), { maxImages: 100 });
    expect(grids.pages.map((page) => [page.z, page.title])).toEqual([[0, "Steps: 2"], [1, "Steps: 4"]]);
    expect([grids.images, grids.withheld]).toEqual([8, 1]);
    // Two images per cell: a 2-column sheet of 16 px tiles, 2 px gaps, no Y labels; the band on top is the rest.
    for (const [z, page] of grids.pages.entries()) {
      const png = decodePng(page.png);
      expect(png.width).toBe(2 * (2 * TILE + 2) + 2);
      const top = png.height - (TILE + 2);
      for (let x = 0; x < 2; x++) {
        for (let prompt = 0; prompt < 2; prompt++) {
          const index = z * 4 + prompt * 2 + x;
          const at = pixel(png, 2 + x * (2 * TILE + 2) + prompt * TILE + 1, top + 1);
          expect(at, `item ${index}`).toEqual(index === 5 ? [190, 190, 190] : [index * 30, prompt * 200, z * 200]);
        }
      }
    }
  });

  it("draws only the Z page asked for, and reads only its images", async () => {
    const read: number[] = [];
    const list = images().map((image) => ({ ...image, image: () => (read.push(image.index), image.image!()) }));
    const grids = await drawSweepGrids(AXES, stream(list), { z: 1, maxImages: 4 });
    expect(grids.pages.map((page) => page.z)).toEqual([1]);
    expect(read.sort()).toEqual([4, 5, 6, 7]);
  });

  it("fits images larger than maxTile into tiles of that size", async () => {
    const big = [0, 1].map((x): SweepImage => ({ key: `t/b/${x}.png`, index: x, width: 64, height: 64, axes: { x: AXES[0]!.values[x]!, z: "2" }, image: () => Promise.resolve(solid([x * 200, 50, 100], 64)) }));
    const [page] = (await drawSweepGrids(AXES, stream(big), { z: 0, maxImages: 10, maxTile: TILE })).pages;
    const png = decodePng(page!.png);
    expect(png.width).toBe(2 * (TILE + 2) + 2);
    const top = png.height - (TILE + 2);
    expect([pixel(png, 2 + 8, top + 8), pixel(png, 2 + TILE + 2 + 8, top + 8)]).toEqual([[0, 50, 100], [200, 50, 100]]);
  });

  it("refuses a Z page that does not exist, a batch without X or Y, and more images than allowed", async () => {
    await expect(drawSweepGrids(AXES, stream(images()), { z: 2, maxImages: 100 })).rejects.toThrow(new SweepGridError("z must be a whole number from 0 to 1, the Z axis's values in order (got 2)"));
    await expect(drawSweepGrids([AXES[1]!], stream([]), { maxImages: 100 })).rejects.toThrow(SweepGridError);
    await expect(drawSweepGrids(AXES, stream(images()), { maxImages: 7 })).rejects.toThrow("the grid would hold more than 7 images; export the batch instead");
  });
});
