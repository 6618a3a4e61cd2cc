// Entry of a grid worker thread. The packages ship TypeScript sources, so
// the worker registers tsx's loader itself before loading the real module.
import { register } from "tsx/esm/api";

register();
await import("./grid-worker.ts");
