import type { AgentCapacity, RenderSettings } from "@atelier/db";

/** What one kind of item needs of an agent. */
interface Need {
  model: string;
  width: number;
  height: number;
  architecture?: string;
  refinerModel?: string;
  /** upscaler models (hires or upscale; "bicubic" needs none) */
  upscalers: string[];
}

/** Items a batch needs run: per model, the sizes and what else (architecture, refiner, upscalers) they ask for. */
export class Requirements {
  private readonly needs = new Map<string, Need>();

  add(item: Pick<RenderSettings, "model" | "width" | "height" | "architecture" | "refinerModel" | "hires" | "upscale">): void {
    const upscalers = [item.hires && item.hires.upscaler !== "bicubic" ? item.hires.upscaler : undefined, item.upscale?.model]
      .filter((name): name is string => name !== undefined);
    const key = `${item.model}|${item.width}x${item.height}|${item.architecture ?? ""}|${item.refinerModel ?? ""}|${upscalers.join(",")}`;
    if (!this.needs.has(key)) {
      this.needs.set(key, { model: item.model, width: item.width, height: item.height, architecture: item.architecture, refinerModel: item.refinerModel, upscalers });
    }
  }

  get all() {
    return [...this.needs.values()];
  }
}

/**
 * Says which requirements no registered agent can meet, in words an operator
 * can act on. Empty when every item has at least one agent that can run it.
 */
export function unmetRequirements(requirements: Requirements, agents: AgentCapacity[]): string[] {
  if (agents.length === 0) return ["no agent has registered with this farm yet: start one with `atelier agent --coordinator HOST:PORT`"];
  const problems = new Set<string>();
  for (const need of requirements.all) {
    const withModel = agents.filter((a) => a.models.includes(need.model));
    if (withModel.length === 0) {
      const known = [...new Set(agents.flatMap((a) => a.models))].sort().join(", ");
      problems.add(`no agent has model "${need.model}" (registered agents have: ${known || "no models"})`);
      continue;
    }
    let fit = withModel;
    if (need.architecture) {
      fit = fit.filter((a) => a.architectures.includes(`${need.model}@${need.architecture}`));
      if (fit.length === 0) {
        const seen = [...new Set(withModel.flatMap((a) => a.architectures.filter((entry) => entry.startsWith(`${need.model}@`))))].map((e) => e.slice(need.model.length + 1));
        problems.add(`no agent has model "${need.model}" as architecture ${need.architecture} (agents detected it as: ${seen.join(", ") || "nothing announced"})`);
        continue;
      }
    }
    if (need.refinerModel) {
      const refiner = need.refinerModel;
      fit = fit.filter((a) => a.models.includes(refiner));
      if (fit.length === 0) {
        problems.add(`no agent has both model "${need.model}" and its refiner "${refiner}": a two-stage render runs both on one agent`);
        continue;
      }
    }
    const missing = need.upscalers.find((name) => !fit.some((a) => a.upscalers.includes(name)));
    if (missing) {
      const known = [...new Set(agents.flatMap((a) => a.upscalers))].sort().join(", ");
      problems.add(`no agent with model "${need.model}" has upscaler "${missing}" (registered agents have upscalers: ${known || "none"})`);
      continue;
    }
    fit = fit.filter((a) => need.upscalers.every((name) => a.upscalers.includes(name)));
    if (fit.length === 0) {
      problems.add(`no agent has model "${need.model}" together with upscalers ${need.upscalers.join(", ")}`);
      continue;
    }
    if (fit.some((a) => a.maxWidth >= need.width && a.maxHeight >= need.height)) continue;
    const largest = fit.reduce((best, a) => (a.maxWidth * a.maxHeight > best.maxWidth * best.maxHeight ? a : best));
    problems.add(`no agent allows ${need.width}x${need.height} with model ${need.model}: the largest allows ${largest.maxWidth}x${largest.maxHeight}`);
  }
  return [...problems];
}
