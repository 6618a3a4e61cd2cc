import type { RenderRequest } from "../render-request.ts";
import { A1111_RNG_LABEL } from "../noise/noise-sources.ts";
import type { HiresFix } from "./hires-fix.ts";
import { samplerLabel } from "../samplers/sampler-registry.ts";

/**
 * The "parameters" PNG text of AUTOMATIC1111's web UI, which galleries and
 * prompt tools parse:
 *   <prompt>
 *   Negative prompt: <negative>        (omitted when empty, as A1111 does)
 *   Steps: 20, Sampler: Euler, CFG scale: 7.5, Seed: 42, Size: 512x512, Model hash: abcdef1234, Model: name[, Denoising strength: 0.75]
 * The prompt is written as typed, emphasis brackets included. Denoising
 * strength is written for img2img and inpainting, as A1111 does. Nothing
 * time- or machine-dependent goes in, so re-renders are byte-identical.
 * `RNG: CPU` / `RNG: NV` (A1111's own keys) name the noise source when it is
 * torch's CPU generator or A1111's Philox; without the key the seed drove
 * Atelier's own generator (A1111 would read a missing key as its GPU RNG).
 */
export function formatA1111Parameters(
  req: RenderRequest,
  model: { name: string; hash: string },
  strength: number | undefined,
  refiner?: { name: string; hash: string },
  hires?: HiresFix,
): string {
  const settings = [
    `Steps: ${req.steps}`,
    `Sampler: ${samplerLabel(req.sampler)}`,
    `CFG scale: ${req.guidance}`,
    `Seed: ${req.seed}`,
    `Size: ${req.width}x${req.height}`,
    `Model hash: ${model.hash}`,
    `Model: ${model.name}`,
    ...(A1111_RNG_LABEL[req.noiseSource ?? "atelier"] ? [`RNG: ${A1111_RNG_LABEL[req.noiseSource ?? "atelier"]}`] : []),
    ...(strength === undefined ? [] : [`Denoising strength: ${strength}`]),
    // A1111's hires fix keys (Size and Steps stay the first pass's)
    ...(hires ? [`Hires upscale: ${hires.scale}`, ...(hires.steps === undefined ? [] : [`Hires steps: ${hires.steps}`]), `Hires upscaler: ${hires.upscaler}`] : []),
    // A1111's SDXL refiner keys
    ...(refiner && req.refinerStart !== undefined ? [`Refiner: ${refiner.name} [${refiner.hash}]`, `Refiner switch at: ${req.refinerStart}`] : []),
  ].join(", ");
  const negative = req.negativePrompt === "" ? "" : `\nNegative prompt: ${req.negativePrompt}`;
  return `${req.prompt}${negative}\n${settings}`;
}
