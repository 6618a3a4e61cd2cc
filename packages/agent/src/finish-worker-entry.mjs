// Entry of a finish worker thread, as render-worker-entry.mjs is of a render worker.
import { register } from "tsx/esm/api";

register();
await import("./finish-worker.ts");
