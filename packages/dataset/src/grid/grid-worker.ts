// The grid worker thread: draws a sweep's grid pages from the images the
// main thread sends (see off-thread-grid.ts), so that decoding, fitting,
// labelling and encoding them blocks this thread, not the main one.
import { parentPort, workerData } from "node:worker_threads";
import type { FromGridWorker, GridWorkerData, ToGridWorker } from "./grid-protocol.ts";
import { drawSweepGrids, SweepGridError, type SweepImage } from "./sweep-grid.ts";

const port = parentPort!;
const { axes, options } = workerData as GridWorkerData;
const queue: ToGridWorker[] = [];
let wake: (() => void) | undefined;

port.on("message", (message: ToGridWorker) => {
  queue.push(message);
  wake?.();
});

async function* images(): AsyncGenerator<SweepImage> {
  for (;;) {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    const message = queue.shift()!;
    if (message.type === "end") return;
    port.postMessage({ type: "taken" } satisfies FromGridWorker);
    const { png, meta } = message;
    yield { ...meta, image: meta.withheld || !png ? null : () => Promise.resolve(png) };
  }
}

try {
  const grids = await drawSweepGrids(axes, images(), options);
  port.postMessage({ type: "drawn", grids } satisfies FromGridWorker, grids.pages.map((page) => page.png.buffer as ArrayBuffer));
} catch (error) {
  port.postMessage({ type: "failed", message: (error as Error).message, sweep: error instanceof SweepGridError } satisfies FromGridWorker);
}
