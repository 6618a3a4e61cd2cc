import { filterScanlines } from "./src/png/png-filters.ts";
import { decodePng } from "./src/index.ts";
import { readFileSync } from "node:fs";
const d = decodePng(readFileSync("/tmp/a_green_triangle_at_the_top_on_a_pink_background.png"));
for (let k = 0; k < 4; k++) {
  const r: string[] = [];
  for (const f of [0, 1, 2, 3, 4, "adaptive"] as const) { const t = performance.now(); filterScanlines(d.pixels, d.width, d.height, 3, f); r.push(`${f}:${(performance.now() - t).toFixed(1)}`); }
  console.log(r.join(" "));
}
