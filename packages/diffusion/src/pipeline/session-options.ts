import { resolveProviders } from "./execution-providers.ts";
import type { SessionSettings } from "./onnx-session.ts";
import type { PipelineOptions } from "./pipeline-types.ts";
import { checkTiling, DEFAULT_VAE_TILING, type VaeTiling } from "./tiled-vae.ts";

// PipelineOptions to onnxruntime session settings and VAE tiling, for a
// Pipeline and for an ImageFinisher of the same model alike.

const DEFAULT_VAE_TILING_ABOVE_PIXELS = 1024 * 1024;

/** Checks the options and resolves the providers (see PipelineOptions). */
export async function resolveSessionSettings(options: PipelineOptions): Promise<SessionSettings> {
  const requested = options.providers ?? ["cpu"];
  if (requested.length === 0) throw new RangeError("providers must name at least one execution provider");
  for (const [name, value] of [["intraOpThreads", options.intraOpThreads ?? 1], ["interOpThreads", options.interOpThreads ?? 1]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer (got ${value})`);
  }
  const { providers } = await resolveProviders(requested, options.providerFallback ?? false);
  return {
    providers,
    intraOpThreads: options.intraOpThreads ?? 1,
    interOpThreads: options.interOpThreads ?? 1,
    graphOptimization: options.graphOptimization ?? "all",
  };
}

/** The VAE tiling the options ask for, checked; undefined: never tile. */
export function resolveVaeTiling(options: PipelineOptions): (VaeTiling & { abovePixels: number }) | undefined {
  const tiling = options.vaeTiling === false ? undefined : { ...DEFAULT_VAE_TILING, abovePixels: DEFAULT_VAE_TILING_ABOVE_PIXELS, ...options.vaeTiling };
  if (tiling) checkTiling(tiling);
  return tiling;
}
