import { GaussianStream } from "./gaussian-noise.ts";
import { PhiloxNoise } from "./philox-noise.ts";
import { TorchCpuNoise } from "./torch-cpu-noise.ts";

/**
 * Where a render's random numbers come from (RenderRequest.noiseSource):
 *   "atelier"   PCG32 + Box–Muller (GaussianStream), the default
 *   "torch-cpu" torch.manual_seed(seed) + torch.randn on the CPU: diffusers
 *               with a CPU generator, A1111 with RNG "CPU"
 *   "a1111-gpu" A1111's "NV" Philox source, torch's CUDA randn without a GPU
 * Each draw (initial noise, then each ancestral step) is one call on the
 * seed's own generator, as diffusers and A1111 draw them.
 */
export const NOISE_SOURCES = ["atelier", "torch-cpu", "a1111-gpu"] as const;
export type NoiseSourceName = (typeof NOISE_SOURCES)[number];

/** A1111's infotext name for the source ("RNG: CPU"), or undefined for Atelier's own stream. */
export const A1111_RNG_LABEL: Record<NoiseSourceName, string | undefined> = {
  atelier: undefined,
  "torch-cpu": "CPU",
  "a1111-gpu": "NV",
};

export function createNoiseSource(name: NoiseSourceName, seed: number): { next(count: number): Float32Array } {
  switch (name) {
    case "torch-cpu":
      return new TorchCpuNoise(seed);
    case "a1111-gpu":
      return new PhiloxNoise(seed);
    default:
      return new GaussianStream(seed);
  }
}

export function isNoiseSourceName(value: unknown): value is NoiseSourceName {
  return typeof value === "string" && (NOISE_SOURCES as readonly string[]).includes(value);
}
