import { ValidationError } from "../errors.ts";
import { decodePng } from "../png/png-decode.ts";
import { encodePng } from "../png/png-encode.ts";
import { type RenderRequest, validateRenderRequest } from "../render-request.ts";
import type { Upscaler } from "../upscaler/upscaler-model.ts";
import { BUILTIN_HIRES_UPSCALER, type HiresFix, hiresSize, upscaleForHires } from "./hires-fix.ts";

// The two passes of a hires fix (see hires-fix.ts) as renders of the
// pipeline: the first pass is the request without `hires`, the second an
// img2img request of its own at the target size. The second pass's PNG text
// must still describe the request the caller made, so each second request is
// recorded with it in `passes`, keyed by identity.

/** A hires fix's second pass: the request the caller made and its fix. */
export interface HiresPass {
  first: RenderRequest;
  hires: HiresFix;
}

/**
 * Requests without hires fix go through one `renderAll`; each hires request
 * is two passes of its own. Every request is validated, upscaler names
 * included, before any renders. Results are in request order.
 */
export async function renderWithHires<R extends { png: Uint8Array }>(
  requests: readonly RenderRequest[],
  upscaler: Upscaler | undefined,
  renderAll: (requests: readonly RenderRequest[]) => Promise<R[]>,
  passes: WeakMap<RenderRequest, HiresPass>,
): Promise<R[]> {
  const results = new Array<R>(requests.length);
  const plain = requests.flatMap((r, i) => (r.hires ? [] : [i]));
  for (const [request, index] of requests.map((r, i) => [r, i] as const)) {
    const issues = validateRenderRequest(request);
    if (issues.length > 0) throw new ValidationError(requests.length > 1 ? issues.map((issue) => `request ${index}: ${issue}`) : issues);
    const name = request.hires?.upscaler;
    if (name !== undefined && name !== BUILTIN_HIRES_UPSCALER && name !== upscaler?.name) {
      throw new ValidationError([`hires.upscaler ${JSON.stringify(name)} is neither "${BUILTIN_HIRES_UPSCALER}" nor the upscaler passed in RenderOptions.upscaler (${upscaler ? JSON.stringify(upscaler.name) : "none"})`]);
    }
  }
  const plainResults = plain.length > 0 ? await renderAll(plain.map((i) => requests[i]!)) : [];
  plain.forEach((i, k) => (results[i] = plainResults[k]!));
  for (const [index, request] of requests.entries()) {
    const hires = request.hires;
    if (!hires) continue;
    const { hires: _, ...firstRequest } = request;
    const [first] = await renderAll([firstRequest]);
    const decoded = decodePng(first!.png);
    const target = hiresSize(request.width, request.height, hires.scale);
    const model = hires.upscaler === BUILTIN_HIRES_UPSCALER ? undefined : upscaler;
    const upscaled = await upscaleForHires(decoded.pixels, decoded.width, decoded.height, target, model);
    const second: RenderRequest = { ...firstRequest, ...target, initImage: encodePng(upscaled, target.width, target.height), strength: hires.denoise, steps: hires.steps ?? request.steps };
    passes.set(second, { first: request, hires });
    const [result] = await renderAll([second]);
    results[index] = result!;
  }
  return results;
}
