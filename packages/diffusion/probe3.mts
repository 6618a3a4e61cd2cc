import { filterScanlines } from "./src/png/png-filters.ts";
import { deflateSync } from "node:zlib";
import { decodePng } from "./src/index.ts";
import { readFileSync } from "node:fs";
const d = decodePng(readFileSync("/tmp/a_green_triangle_at_the_top_on_a_pink_background.png"));
for (let k = 0; k < 8; k++) {
  let t = performance.now(); const f = filterScanlines(d.pixels, d.width, d.height, 3, "adaptive"); const t1 = performance.now() - t;
  t = performance.now(); const z = deflateSync(f); const t2 = performance.now() - t;
  t = performance.now(); const f0 = filterScanlines(d.pixels, d.width, d.height, 3, 1); const z0 = deflateSync(f0); const t3 = performance.now() - t;
  console.log(t1.toFixed(1), t2.toFixed(1), z.length, "sub:", t3.toFixed(1), z0.length);
}
