// Messages between drawSweepGridsOffThread and its grid worker thread.
import type { SweepAxis, SweepGridOptions, SweepGrids, SweepImage } from "./sweep-grid.ts";

export interface GridWorkerData {
  axes: SweepAxis[];
  options: SweepGridOptions;
}

/** An image's description without its bytes; `withheld` for one drawn as a grey tile. */
export type ImageMeta = Omit<SweepImage, "image"> & { withheld: boolean };

export type ToGridWorker =
  | { type: "image"; meta: ImageMeta; png: Uint8Array | null }
  | { type: "end" };

export type FromGridWorker =
  /** one image taken off the worker's queue: the main thread may send another */
  | { type: "taken" }
  | { type: "drawn"; grids: SweepGrids }
  /** `sweep`: a SweepGridError, whose message is for the user */
  | { type: "failed"; message: string; sweep: boolean };
