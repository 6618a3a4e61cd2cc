// Decodes one latent tensor of a generated model's VAE, untiled or tiled,
// and prints peak RSS as JSON: run in a fresh process per measurement, so
// the peak belongs to that decode alone (see tiled-vae.test.ts).
//   tsx scripts/vae-decode-peak.ts MODEL_DIR SIZE_PX untiled|tiled
import * as ort from "onnxruntime-node";
import { GaussianStream } from "../src/noise/gaussian-noise.ts";
import { DEFAULT_VAE_TILING, decodeTiled } from "../src/pipeline/tiled-vae.ts";
import { VaeDecoderModel } from "../src/pipeline/vae-decoder-model.ts";

const [modelDir, sizeArg, mode] = process.argv.slice(2);
const size = Number(sizeArg);
const latent = size / 8;
const session = await ort.InferenceSession.create(`${modelDir}/vae_decoder/model.onnx`, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const decoder = new VaeDecoderModel(session);
const latents = new GaussianStream(7).next(4 * latent * latent);
const rssBefore = process.resourceUsage().maxRSS * 1024;
const startedAt = performance.now();
const image =
  mode === "tiled"
    ? await decodeTiled((t, dims, w, h) => decoder.decode(t, dims, w, h), latents, 4, latent, latent, DEFAULT_VAE_TILING)
    : await decoder.decode(latents, [1, 4, latent, latent], size, size);
const ms = performance.now() - startedAt;
let checksum = 0;
for (let i = 0; i < image.length; i += 997) checksum += image[i]!;
await session.release();
process.stdout.write(`${JSON.stringify({ mode, size, peakRssBytes: process.resourceUsage().maxRSS * 1024, rssBeforeBytes: rssBefore, ms: Math.round(ms), checksum })}\n`);
