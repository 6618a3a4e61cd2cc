import { encodePng } from "@atelier/diffusion/png";
import { describe, expect, it } from "vitest";
import { drawSweepGridsOffThread } from "./off-thread-grid.ts";
import { drawSweepGrids, SweepGridError, type SweepAxis, type SweepImage } from "./sweep-grid.ts";

const AXES: SweepAxis[] = [
  { name: "x", setting: "sampler", values: ["euler", "ddim", "dpm"] },
  { name: "y", setting: "seed", values: ["1", "2"] },
  { name: "z", setting: "steps", values: ["2", "4"] },
];

/** `count` distinct noisy images of `side` px spread over the cells, image `withheld` quarantined; bytes fresh at every read, as the bucket's are. */
function images(count: number, side: number, withheld = -1): SweepImage[] {
  let state = 7;
  return Array.from({ length: count }, (_, index) => {
    const pixels = new Uint8Array(side * side * 3);
    for (let p = 0; p < pixels.length; p++) pixels[p] = (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
    const png = encodePng(pixels, side, side);
    const cell = index % 12;
    const axes = { x: AXES[0]!.values[cell % 3]!, y: AXES[1]!.values[Math.floor(cell / 3) % 2]!, z: AXES[2]!.values[Math.floor(cell / 6)]! };
    return { key: `t/b/${index}.png`, index, width: side, height: side, axes, image: index === withheld ? null : () => Promise.resolve(png.slice()) };
  });
}

async function* stream(list: SweepImage[]): AsyncGenerator<SweepImage> {
  yield* list;
}

/** The longest gap between the ticks of a 5 ms timer while `work` runs: how long the event loop was blocked. */
async function longestStallMs(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await work();
    // One more tick, so that a stall at the very end is seen.
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    clearInterval(timer);
  }
  return longest;
}

describe("drawSweepGridsOffThread", () => {
  it("draws the same pages, byte for byte, as drawSweepGrids on this thread, withheld images included", async () => {
    const list = images(36, 24, 5);
    for (const z of [undefined, 1]) {
      const [here, there] = [await drawSweepGrids(AXES, stream(list), { z, maxImages: 100, maxTile: 16 }), await drawSweepGridsOffThread(AXES, stream(list), { z, maxImages: 100, maxTile: 16 })];
      expect(there.pages.length).toBe(z === undefined ? 2 : 1);
      expect({ ...there, pages: there.pages.map((p) => ({ ...p, png: Buffer.from(p.png).toString("base64") })) })
        .toEqual({ ...here, pages: here.pages.map((p) => ({ ...p, png: Buffer.from(p.png).toString("base64") })) });
    }
  }, 60_000);

  it("refuses what drawSweepGrids refuses with the same SweepGridError, and stops reading images once refused", async () => {
    await expect(drawSweepGridsOffThread(AXES, stream(images(12, 8)), { z: 2, maxImages: 100 })).rejects.toThrow(new SweepGridError("z must be a whole number from 0 to 1, the Z axis's values in order (got 2)"));
    let read = 0;
    const counted = images(400, 8).map((image) => ({ ...image, image: () => (read++, image.image!()) }));
    const refused = drawSweepGridsOffThread(AXES, stream(counted), { maxImages: 10 });
    await expect(refused).rejects.toThrow(SweepGridError);
    await expect(refused).rejects.toThrow("the grid would hold more than 10 images; export the batch instead");
    expect(read).toBeLessThan(100);
  }, 60_000);

  it("keeps this thread's event loop turning while a large page is drawn", async () => {
    // 600 images of 64 px: a page that blocks the thread drawing it for about a second on a loaded machine.
    const list = images(600, 64);
    const options = { z: 0, maxImages: 1000 };
    const here = await longestStallMs(() => drawSweepGrids(AXES, stream(list), options));
    const there = await longestStallMs(() => drawSweepGridsOffThread(AXES, stream(list), options));
    expect(here).toBeGreaterThan(200);
    expect(there, `longest stall ${Math.round(there)} ms off the thread, ${Math.round(here)} ms on it`).toBeLessThan(here / 3);
  }, 120_000);
});
