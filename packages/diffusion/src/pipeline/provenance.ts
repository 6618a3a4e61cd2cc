import * as ort from "onnxruntime-node";
import packageJson from "../../package.json" with { type: "json" };
import type { RenderRequest } from "../render-request.ts";
import type { Attribution } from "./keyword-contribution.ts";

/** PNG text keyword of the provenance record. */
export const PROVENANCE_KEYWORD = "atelier";

export interface ProvenanceContext {
  model: string;
  modelHash: string;
  providers: readonly string[];
  /** set for img2img and inpainting */
  strength: number | undefined;
  inpainting: boolean;
  nsfw: boolean;
  /** the second stage of a base + refiner render */
  refiner?: { name: string; hash: string };
  /** the hires fix that produced this second-pass image */
  hires?: { scale: number; steps?: number; denoise: number; upscaler: string; firstPassWidth: number; firstPassHeight: number };
  /** keyword contributions; their timing stays out, so that a re-render writes the same bytes */
  attribution?: Attribution;
}

/**
 * The JSON provenance chunk: what produced the image, for audits and
 * re-renders. Key order is fixed and nothing depends on time or the host,
 * so the same render writes the same bytes. The onnxruntime version and
 * execution providers are recorded because float results (and so pixels)
 * may differ between them.
 */
export function formatProvenance(req: RenderRequest, context: ProvenanceContext): string {
  return JSON.stringify({
    atelier: packageJson.version,
    onnxruntime: ort.env.versions.node ?? ort.env.versions.common,
    model: context.model,
    modelHash: context.modelHash,
    providers: context.providers,
    sampler: req.sampler,
    seed: req.seed,
    ...(req.noiseSource && req.noiseSource !== "atelier" ? { noiseSource: req.noiseSource } : {}),
    steps: req.steps,
    guidance: req.guidance,
    width: req.width,
    height: req.height,
    ...(context.strength === undefined ? {} : { strength: context.strength, inpainting: context.inpainting }),
    ...(context.refiner && req.refinerStart !== undefined ? { refiner: context.refiner.name, refinerHash: context.refiner.hash, refinerStart: req.refinerStart } : {}),
    ...(context.hires ? { hires: context.hires } : {}),
    nsfw: context.nsfw,
    ...(context.attribution
      ? { attribution: { keywords: context.attribution.keywords.map(({ phrase, contribution, area, intensity }) => ({ phrase, contribution, area, intensity })), rest: context.attribution.rest, sampledSteps: context.attribution.sampledSteps } }
      : {}),
  });
}
