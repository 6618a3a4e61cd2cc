import type { AgentCapacity } from "@atelier/db";

/** Items a batch needs run: per model, the sizes it asks for. */
export class Requirements {
  private readonly sizes = new Map<string, { model: string; width: number; height: number }>();

  add(model: string, width: number, height: number): void {
    const key = `${model}|${width}x${height}`;
    if (!this.sizes.has(key)) this.sizes.set(key, { model, width, height });
  }

  get all() {
    return [...this.sizes.values()];
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
    if (withModel.some((a) => a.maxWidth >= need.width && a.maxHeight >= need.height)) continue;
    const largest = withModel.reduce((best, a) => (a.maxWidth * a.maxHeight > best.maxWidth * best.maxHeight ? a : best));
    problems.add(`no agent allows ${need.width}x${need.height} with model ${need.model}: the largest allows ${largest.maxWidth}x${largest.maxHeight}`);
  }
  return [...problems];
}
