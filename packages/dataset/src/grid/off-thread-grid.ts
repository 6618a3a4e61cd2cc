import { Worker } from "node:worker_threads";
import type { FromGridWorker, GridWorkerData, ImageMeta, ToGridWorker } from "./grid-protocol.ts";
import { SweepGridError, type SweepAxis, type SweepGridOptions, type SweepGrids, type SweepImage } from "./sweep-grid.ts";

// Images handed to the worker and not yet taken by it: enough to keep it
// busy, few enough that a worker slower than the bucket does not leave the
// main thread holding a page of full-size images.
const QUEUED_IMAGES = 16;

/**
 * drawSweepGrids in a worker thread of its own, for a process whose event
 * loop must keep turning (a coordinator's gRPC leases and heartbeats).
 * This thread only reads the images (their `image()`, I/O) and moves their
 * bytes to the worker, which decodes, fits, labels and encodes the pages:
 * for a page of 1,000 images, seconds of CPU (test/bench/grid-stall.ts).
 * The bytes each `image()` resolves with are transferred, so they must be
 * the caller's to give away. The worker lives for one call.
 */
export async function drawSweepGridsOffThread(axes: readonly SweepAxis[], images: AsyncIterable<SweepImage>, options: SweepGridOptions): Promise<SweepGrids> {
  const worker = new Worker(new URL("./grid-worker-entry.mjs", import.meta.url), { workerData: { axes: [...axes], options } satisfies GridWorkerData });
  let queued = 0;
  let settled = false;
  let wake: (() => void) | undefined;
  const result = new Promise<SweepGrids>((resolve, reject) => {
    worker.on("message", (message: FromGridWorker) => {
      if (message.type === "taken") queued--;
      else {
        settled = true;
        if (message.type === "drawn") resolve(message.grids);
        else reject(message.sweep ? new SweepGridError(message.message) : new Error(`the grid worker failed: ${message.message}`));
      }
      wake?.();
    });
    worker.on("error", (error) => {
      settled = true;
      reject(error);
      wake?.();
    });
    worker.on("exit", (code) => {
      if (!settled) reject(new Error(`the grid worker exited (code ${code}) before it drew the grid`));
      settled = true;
      wake?.();
    });
  });
  // Awaited below; until then a failure must not count as unhandled.
  result.catch(() => undefined);

  const send = (meta: ImageMeta, png: Uint8Array | null) => {
    if (settled) return;
    queued++;
    worker.postMessage({ type: "image", meta, png } satisfies ToGridWorker, png ? [png.buffer as ArrayBuffer] : []);
  };
  try {
    const downloads = new Set<Promise<void>>();
    const limit = options.downloadsInFlight ?? 8;
    for await (const { image, ...rest } of images) {
      if (settled) break;
      const meta: ImageMeta = { ...rest, withheld: image === null };
      if (!image) send(meta, null);
      else {
        const task: Promise<void> = image().then((png) => send(meta, whole(png))).finally(() => downloads.delete(task));
        downloads.add(task);
        // Its failure is thrown by the wait below; one left behind by an early exit is dropped with the worker.
        task.catch(() => undefined);
      }
      while (!settled && (downloads.size >= limit || queued >= QUEUED_IMAGES)) {
        await Promise.race([...downloads, new Promise<void>((resolve) => (wake = resolve))]);
      }
    }
    await Promise.all(downloads);
    if (!settled) worker.postMessage({ type: "end" } satisfies ToGridWorker);
    return await result;
  } finally {
    await worker.terminate();
  }
}

/** The bytes in an ArrayBuffer of their own: a view into a shared one (Node's Buffer pool) is copied, not transferred. */
function whole(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
