import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { createDdimSampler } from "./ddim-sampler.ts";
import { createEulerSampler } from "./euler-sampler.ts";
import type { Sampler, SamplerFactory } from "./sampler.ts";

/** Samplers by the name users type; `label` is the A1111 "Sampler:" name. */
const SAMPLERS = {
  euler: { label: "Euler", create: createEulerSampler },
  ddim: { label: "DDIM", create: createDdimSampler },
} as const satisfies Record<string, { label: string; create: SamplerFactory }>;

export type SamplerName = keyof typeof SAMPLERS;
export const SAMPLER_NAMES = Object.keys(SAMPLERS) as SamplerName[];

export function isSamplerName(name: unknown): name is SamplerName {
  return typeof name === "string" && Object.hasOwn(SAMPLERS, name);
}

export function samplerLabel(name: SamplerName): string {
  return SAMPLERS[name].label;
}

export function createSampler(name: SamplerName, schedule: NoiseSchedule, steps: number): Sampler {
  return SAMPLERS[name].create(schedule, steps);
}
