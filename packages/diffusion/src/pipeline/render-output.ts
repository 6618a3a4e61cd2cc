import packageJson from "../../package.json" with { type: "json" };
import { encodePng } from "../png/png-encode.ts";
import { formatXmp, XMP_KEYWORD } from "../png/xmp.ts";
import { stampAtelierMark } from "../watermark/atelier-mark.ts";
import { formatA1111Parameters } from "./a1111-parameters.ts";
import type { HiresPass } from "./hires-render.ts";
import type { Attribution } from "./keyword-contribution.ts";
import { formatProvenance, PROVENANCE_KEYWORD } from "./provenance.ts";
import type { PlannedImage } from "./render-plan.ts";

// An image's PNG carries two text chunks: A1111's "parameters", which other
// tools parse, and Atelier's provenance. For a hires fix's second pass the
// parameters describe the caller's request with the fix, as A1111 writes
// them (first-pass size and steps); the provenance records the pass that
// ran, with the fix and the first pass's size. Every image also carries its
// AI label (XMP, png/xmp.ts) and, when asked, the invisible watermark.

export interface OutputContext {
  model: { name: string; hash: string };
  /** the execution providers that ran the model */
  providers: readonly string[];
  /** the refiner that finished this image, if any */
  refiner: { name: string; hash: string } | undefined;
  /** set when the image is a hires fix's second pass */
  hiresPass: HiresPass | undefined;
  /** the keywords' measured contributions, when the request asked for them */
  attribution?: Attribution;
}

/** The PNG with its text chunks. */
export function encodeOutput(image: Pick<PlannedImage, "request" | "strength" | "mask">, rgb: Uint8Array, nsfw: boolean, context: OutputContext): { png: Uint8Array } {
  const { request } = image;
  const { model, refiner, hiresPass } = context;
  const parameters = hiresPass
    ? formatA1111Parameters(hiresPass.first, model, image.strength, undefined, hiresPass.hires)
    : formatA1111Parameters(request, model, image.strength, refiner);
  const provenance = formatProvenance(request, {
    model: model.name,
    modelHash: model.hash,
    providers: context.providers,
    strength: image.strength,
    inpainting: image.mask !== undefined,
    nsfw,
    ...(refiner ? { refiner } : {}),
    ...(hiresPass ? { hires: { ...hiresPass.hires, firstPassWidth: hiresPass.first.width, firstPassHeight: hiresPass.first.height } } : {}),
    ...(context.attribution ? { attribution: context.attribution } : {}),
  });
  const xmp = formatXmp({ generator: `Atelier ${packageJson.version}`, model: model.name, modelHash: model.hash, ...request.label });
  const pixels = request.watermark ? stampAtelierMark(rgb, request.width, request.height) : rgb;
  const png = encodePng(pixels, request.width, request.height, { parameters, [PROVENANCE_KEYWORD]: provenance, [XMP_KEYWORD]: xmp });
  return { png };
}
