import type { NewItem, RenderSettings } from "@atelier/db";
import type { Plan__Output } from "@atelier/protocol";
import { ValidationError } from "../errors.ts";
import { validateSettings } from "../item-validation.ts";
import { LIMITS } from "../limits.ts";
import { AXIS_NAMES, parseAxis, type AxisDefinition, type AxisName, type ParsedAxis } from "./plan-axes.ts";
import { choice, parseTemplate, renderTemplate, sequence, splitTopLevel, text, type TemplateNode } from "./prompt-template.ts";

/** What a plan may hold besides its expansion, which only the batch limit bounds. */
export const PLAN_LIMITS = {
  templates: 1_000,
  wildcardLists: 100,
  wildcardLines: 100_000,
  seeds: 10_000,
  perPrompt: 10_000,
  axisValues: 1_000,
  /** Combinations of axis values: each is kept as one item template. */
  axisCells: 100_000,
  matrixParts: 12,
};

export interface ExpandedPlan {
  /** Items the plan makes, counted without making them. */
  count: number;
  /** The axes in order x, y, z, as the batch records them. */
  axes: AxisDefinition[];
  /** The items one at a time, indexes from 0: the caller decides how many to hold. */
  items(): Generator<NewItem>;
}

/**
 * Checks a plan and returns its size and a generator of its items. Items are
 * numbered like nested loops, outermost first: prompt combination, seed,
 * then the z, y and x values, so the x value varies fastest.
 */
export function expandPlan(plan: Plan__Output, defaults: RenderSettings, baseSeed: number): ExpandedPlan {
  const problems: string[] = [];
  const wildcards = wildcardLists(plan, problems);
  if (plan.prompts.length === 0) problems.push("plan.prompts: a plan needs at least one prompt template");
  if (plan.prompts.length > PLAN_LIMITS.templates) problems.push(`plan.prompts: at most ${PLAN_LIMITS.templates} templates (got ${plan.prompts.length})`);
  const axes = planAxes(plan, defaults, problems);
  const seeds = seedList(plan, baseSeed, axes.some((axis) => axis.setting === "seed"), problems);
  if (problems.length > 0) throw new ValidationError(problems);

  const cellCount = axes.reduce((total, axis) => total * axis.values.length, 1);
  if (cellCount > PLAN_LIMITS.axisCells) throw new ValidationError([`plan.axes: the axes make ${cellCount} combinations of values; at most ${PLAN_LIMITS.axisCells}`]);
  const templates = plan.prompts.map((prompt, t) => promptTree(prompt, plan.promptMatrix, { wildcards, field: `plan.prompts[${t}]` }));
  const promptCount = templates.reduce((sum, tree) => sum + tree.count, 0);
  const count = [seeds.count, ...axes.map((axis) => axis.values.length)].reduce((total, n) => total * n, promptCount);
  if (!(count <= LIMITS.maxItemsPerBatch)) {
    throw new ValidationError([`the plan makes ${Number.isFinite(count) ? count : "more than 2^53"} items; a batch may hold at most ${LIMITS.maxItemsPerBatch}`]);
  }

  // One item per cell (combination of axis values) with the axes applied
  // once, so that each item costs one copy; x varies fastest. prompt_sr
  // depends on the prompt and is applied per item.
  const cells = cellTemplates(axes, defaults);
  const promptAxes = axes.filter((axis) => axis.setting === "prompt_sr");
  const seedAxis = axes.some((axis) => axis.setting === "seed");

  function* items(): Generator<NewItem> {
    let index = 0;
    for (const tree of templates) {
      for (let k = 0; k < tree.count; k++) {
        const prompt = renderTemplate(tree, k);
        for (let s = 0; s < seeds.count; s++) {
          const seed = seeds.at(s);
          for (const cell of cells) {
            const item: NewItem = { ...cell, index, prompt, negativePrompt: plan.negativePrompt, seed: seedAxis ? cell.seed : seed };
            for (const axis of promptAxes) axis.apply(item, axis.values.indexOf(cell.axes![axis.name]!));
            index++;
            yield item;
          }
        }
      }
    }
  }

  return { count, axes: axes.map(({ name, setting, values }) => ({ name, setting, values })), items };
}

function cellTemplates(axes: ParsedAxis[], defaults: RenderSettings): NewItem[] {
  let cells: NewItem[] = [{ ...defaults, index: 0, prompt: "", negativePrompt: "", seed: 0, axes: {} }];
  // Outermost first (z, y, x) so that x ends up varying fastest.
  for (const axis of [...axes].reverse()) {
    cells = cells.flatMap((cell) => axis.values.map((value, v) => {
      const next: NewItem = { ...cell, axes: { ...cell.axes, [axis.name]: value } };
      if (axis.setting !== "prompt_sr") axis.apply(next, v);
      return next;
    }));
  }
  return cells;
}

function promptTree(prompt: string, matrix: boolean, context: { wildcards: Map<string, string[]>; field: string }): TemplateNode {
  if (!matrix) return parseTemplate(prompt, context);
  // A1111's prompt matrix: the first part always, each further part in or out.
  const [base, ...optional] = splitTopLevel(prompt);
  if (optional.length > PLAN_LIMITS.matrixParts) {
    throw new ValidationError([`${context.field}: a prompt matrix may have at most ${PLAN_LIMITS.matrixParts} optional parts (got ${optional.length})`]);
  }
  return sequence([
    parseTemplate(base!, context),
    ...optional.map((part) => choice([text(""), sequence([text(", "), parseTemplate(part.trim(), context)])])),
  ]);
}

function wildcardLists(plan: Plan__Output, problems: string[]): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  let lines = 0;
  if (plan.wildcards.length > PLAN_LIMITS.wildcardLists) problems.push(`plan.wildcards: at most ${PLAN_LIMITS.wildcardLists} lists (got ${plan.wildcards.length})`);
  for (const list of plan.wildcards) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_\-/.]{0,63}$/.test(list.name)) problems.push(`plan.wildcards: "${list.name.slice(0, 40)}" is not a wildcard name (letters, digits, _ - / .)`);
    if (lists.has(list.name)) problems.push(`plan.wildcards: the list "${list.name}" is given twice`);
    const long = list.values.findIndex((line) => line.length > LIMITS.promptChars);
    if (long >= 0) problems.push(`plan.wildcards.${list.name}: line ${long + 1} is longer than ${LIMITS.promptChars} characters`);
    lines += list.values.length;
    lists.set(list.name, list.values);
  }
  if (lines > PLAN_LIMITS.wildcardLines) problems.push(`plan.wildcards: at most ${PLAN_LIMITS.wildcardLines} lines in all (got ${lines})`);
  return lists;
}

function planAxes(plan: Plan__Output, defaults: RenderSettings, problems: string[]): ParsedAxis[] {
  const axes: ParsedAxis[] = [];
  const seen = new Set<string>();
  for (const definition of plan.axes) {
    const name = definition.name.toLowerCase();
    if (!(AXIS_NAMES as readonly string[]).includes(name)) {
      problems.push(`plan.axes: "${definition.name.slice(0, 20)}" is not an axis; axes are named ${AXIS_NAMES.join(", ")}`);
      continue;
    }
    if (seen.has(name)) problems.push(`plan.axes: the axis ${name} is given twice`);
    seen.add(name);
    if (definition.values.length > PLAN_LIMITS.axisValues) problems.push(`axes.${name}: at most ${PLAN_LIMITS.axisValues} values (got ${definition.values.length})`);
    const axis = parseAxis({ name: name as AxisName, setting: definition.setting, values: definition.values }, problems);
    if (!axis) continue;
    // Each value must make valid settings on its own; the item checks catch the rest.
    for (let v = 0; v < axis.values.length && axis.setting !== "prompt_sr"; v++) {
      const item: NewItem = { ...defaults, index: 0, prompt: "", negativePrompt: "", seed: 0 };
      axis.apply(item, v);
      problems.push(...validateSettings(item, `axes.${name} value "${axis.values[v]!.slice(0, 40)}": `));
    }
    axes.push(axis);
  }
  return axes.sort((a, b) => AXIS_NAMES.indexOf(a.name) - AXIS_NAMES.indexOf(b.name));
}

interface Seeds {
  count: number;
  at(index: number): number;
}

function seedList(plan: Plan__Output, baseSeed: number, seedAxis: boolean, problems: string[]): Seeds {
  const given = [plan.seeds.length > 0 && "seeds", plan.seedRange && "seed_range", plan.perPrompt > 0 && "per_prompt"].filter(Boolean);
  if (given.length > 1) problems.push(`plan: ${given.join(" and ")} each choose the seeds; give one of them`);
  if (seedAxis && given.length > 0) problems.push(`plan: a seed axis chooses the seeds, and so does ${given.join(" and ")}; give one of them`);
  if (plan.seeds.length > PLAN_LIMITS.seeds) problems.push(`plan.seeds: at most ${PLAN_LIMITS.seeds} seeds (got ${plan.seeds.length}); a seed_range has no such limit`);
  if (plan.perPrompt > PLAN_LIMITS.perPrompt) problems.push(`plan.per_prompt must be at most ${PLAN_LIMITS.perPrompt} (got ${plan.perPrompt})`);
  if (plan.seedRange) {
    const { first, count } = plan.seedRange;
    if (count < 1) problems.push("plan.seed_range.count must be at least 1");
    if (first + count - 1 > LIMITS.maxSeed) problems.push(`plan.seed_range: the last seed ${first + count - 1} is past ${LIMITS.maxSeed}`);
    return { count, at: (s) => first + s };
  }
  if (plan.seeds.length > 0) return { count: plan.seeds.length, at: (s) => plan.seeds[s]! };
  const count = Math.max(1, plan.perPrompt);
  return { count, at: (s) => (baseSeed + s) % (LIMITS.maxSeed + 1) };
}
