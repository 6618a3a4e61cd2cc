// Benchmark: how long drawing a sweep grid page of 1,000 images blocks the
// event loop of the process that asks for it (the coordinator's: gRPC
// leases and heartbeats run there). The page is drawn the way
// GET /api/batches/:id/grid draws it (1,000 images at most, tiles of at most
// 256 px), from images of `--size` px served from memory (a fresh copy, a
// turn of the event loop after they are asked for, as the bucket's would be). Each way of
// drawing runs `--runs` times; perf_hooks.monitorEventLoopDelay records the
// delays meanwhile, and the longest one is the stall. For scale, the same
// histogram over as long a wait with nothing drawn: what the machine's load
// alone costs the loop.
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { drawSweepGrids, drawSweepGridsOffThread, type SweepAxis, type SweepGridOptions, type SweepGrids, type SweepImage } from "@atelier/dataset/grid";
import { encodePng } from "@atelier/diffusion/png";
import { note, numericFlags, printResult, round } from "./support/bench-report.ts";

const flags = numericFlags({ images: 1000, size: 64, runs: 3 });
const SIDE = Math.ceil(Math.sqrt(Math.sqrt(flags.images)));
const AXES: SweepAxis[] = [
  { name: "x", setting: "sampler", values: Array.from({ length: SIDE }, (_, i) => `sampler-${i}`) },
  { name: "y", setting: "seed", values: Array.from({ length: SIDE }, (_, i) => String(i)) },
];
const OPTIONS: SweepGridOptions = { maxImages: 1000, maxTile: 256 };

// Distinct images (noise compresses as badly as renders do), made before anything is measured.
note(`making ${flags.images} images of ${flags.size} px`);
let state = 12345;
const pngs = Array.from({ length: flags.images }, () => {
  const pixels = new Uint8Array(flags.size * flags.size * 3);
  for (let p = 0; p < pixels.length; p++) pixels[p] = (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  return encodePng(pixels, flags.size, flags.size);
});

async function* images(): AsyncGenerator<SweepImage> {
  for (const [index, png] of pngs.entries()) {
    const cell = index % (SIDE * SIDE);
    yield {
      key: `bench/${index}.png`, index, width: flags.size, height: flags.size,
      axes: { x: AXES[0]!.values[cell % SIDE]!, y: AXES[1]!.values[Math.floor(cell / SIDE)]! },
      image: () => new Promise((resolve) => setImmediate(() => resolve(png.slice()))),
    };
  }
}

type Draw = (axes: SweepAxis[], source: AsyncIterable<SweepImage>, options: SweepGridOptions) => Promise<SweepGrids | undefined>;

async function measure(draw: Draw) {
  const runs = [];
  for (let run = 0; run < flags.runs; run++) {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const startedAt = performance.now();
    const grids = await draw(AXES, images(), OPTIONS);
    const wallMs = performance.now() - startedAt;
    // The histogram records a stall when its timer fires late: let it fire once more before it stops.
    await new Promise((resolve) => setTimeout(resolve, 30));
    delay.disable();
    if (grids && grids.images !== flags.images) throw new Error(`the page holds ${grids.images} images, not ${flags.images}`);
    runs.push({ wallMs: round(wallMs), maxStallMs: round(delay.max / 1e6), p99StallMs: round(delay.percentile(99) / 1e6), pngBytes: grids?.pages[0]!.png.byteLength ?? 0 });
  }
  return runs;
}

note("drawing on the main thread");
const mainThread = await measure(drawSweepGrids);
note("drawing in a worker thread");
const workerThread = await measure(drawSweepGridsOffThread);
note("waiting as long with nothing drawn");
const idleMs = Math.max(...workerThread.map((r) => r.wallMs));
const idle = await measure(() => new Promise((resolve) => setTimeout(() => resolve(undefined), idleMs)));
printResult({
  bench: "grid-stall",
  images: flags.images,
  size: flags.size,
  mainThread,
  workerThread,
  idle,
  maxStallMs: { mainThread: Math.max(...mainThread.map((r) => r.maxStallMs)), workerThread: Math.max(...workerThread.map((r) => r.maxStallMs)), idle: Math.max(...idle.map((r) => r.maxStallMs)) },
});
