import { ensureDemoModel, Pipeline } from "./src/index.ts";
const dir = await ensureDemoModel("/tmp/atelier-models");
const p = await Pipeline.load(dir);
for (const size of [256, 512]) for (const sampler of ["euler", "ddim"] as const) {
  const inf: number[] = [], tot: number[] = [];
  for (let i = 0; i < 8; i++) {
    const r = await p.render({ prompt: "a red circle on a blue background", negativePrompt: "", seed: i, width: size, height: size, steps: 20, guidance: 7.5, sampler });
    inf.push(r.inferenceMs); tot.push(r.totalMs);
  }
  const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!.toFixed(1);
  console.log(size, sampler, "inference", med(inf), "total", med(tot));
}
await p.close();
