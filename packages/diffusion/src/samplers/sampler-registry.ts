import type { NoiseSchedule } from "../scheduler/noise-schedule.ts";
import { createDdimSampler } from "./ddim-sampler.ts";
import { createDpmSolverKarrasSampler, createDpmSolverSampler } from "./dpm-solver-sampler.ts";
import { createEulerAncestralSampler } from "./euler-ancestral-sampler.ts";
import { createEulerSampler } from "./euler-sampler.ts";
import { createLcmSampler } from "./lcm-sampler.ts";
import { createPndmSampler } from "./pndm-sampler.ts";
import type { Sampler, SamplerFactory } from "./sampler.ts";

/**
 * Samplers by the name users type (A1111/diffusers style); `label` is the
 * A1111 "Sampler:" name written into PNG parameters.
 */
const SAMPLERS = {
  euler: { label: "Euler", create: createEulerSampler },
  euler_a: { label: "Euler a", create: createEulerAncestralSampler },
  ddim: { label: "DDIM", create: createDdimSampler },
  pndm: { label: "PNDM", create: createPndmSampler },
  dpmpp_2m: { label: "DPM++ 2M", create: createDpmSolverSampler },
  dpmpp_2m_karras: { label: "DPM++ 2M Karras", create: createDpmSolverKarrasSampler },
  lcm: { label: "LCM", create: createLcmSampler },
} as const satisfies Record<string, { label: string; create: SamplerFactory }>;

export type SamplerName = keyof typeof SAMPLERS;
export const SAMPLER_NAMES = Object.keys(SAMPLERS) as SamplerName[];

export function isSamplerName(name: unknown): name is SamplerName {
  return typeof name === "string" && Object.hasOwn(SAMPLERS, name);
}

export function samplerLabel(name: SamplerName): string {
  return SAMPLERS[name].label;
}

/** A fresh sampler for one image; `strength` below 1 runs only the tail of the schedule (img2img). */
export function createSampler(name: SamplerName, schedule: NoiseSchedule, steps: number, strength = 1): Sampler {
  return SAMPLERS[name].create(schedule, { steps, strength });
}
