import { ensureDemoModel, Pipeline, decodePng } from "./src/index.ts";
import { writeFileSync } from "node:fs";
const dir = await ensureDemoModel("/tmp/atelier-models");
console.log(dir);
const p = await Pipeline.load(dir);
console.log(p.name, p.modelHash);
for (const [prompt, size] of [["a red circle on a blue background", 256], ["a yellow square on the left", 256], ["a green triangle at the top on a pink background", 512], ["hello world", 256], ["a purple ring", 256]] as const) {
  const t = performance.now();
  const r = await p.render({ prompt, negativePrompt: "", seed: 42, width: size, height: size, steps: 20, guidance: 7.5, sampler: "euler" });
  console.log(prompt, r.inferenceMs.toFixed(1), r.totalMs.toFixed(1), (performance.now() - t).toFixed(1), r.png.length);
  writeFileSync(`/tmp/${prompt.replace(/ /g, "_")}.png`, r.png);
  const d = decodePng(r.png);
  const px = (x: number, y: number) => Array.from(d.pixels.subarray((y * d.width + x) * 3, (y * d.width + x) * 3 + 3));
  console.log(" centre", px(size / 2, size / 2), "corner", px(2, 2), "left", px(size / 4, size / 2), d.text.parameters);
}
await p.close(); await p.close();
