// Entry of a benchmark's worker thread whose code is TypeScript: the thread
// registers tsx's loader itself, then loads the module named in
// workerData.main (a file URL); that module reads the rest of workerData.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.main);
