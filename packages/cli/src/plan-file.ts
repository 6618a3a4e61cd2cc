import { readFile } from "node:fs/promises";
import { dirname, extname, isAbsolute, join, normalize, sep } from "node:path";
import type { Plan } from "@atelier/sdk";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { InputError } from "./input-file.ts";
import { NUMERIC_SETTINGS, SETTING_FIELDS, type SettingValues } from "./render-settings.ts";

/**
 * A plan file (YAML or JSON): prompt templates, wildcards, seeds, axes and
 * render settings in one document. The coordinator expands and checks it;
 * this reads the file, the wildcard files it names, and the document's shape.
 */
export interface PlanFile {
  plan: Plan;
  /** The plan's render settings: the batch defaults, over the command's flags. */
  settings: SettingValues;
}

const scalar = z.union([z.string(), z.number()]);
const PLAN_SCHEMA = z.strictObject({
  prompt: z.string().optional(),
  prompts: z.array(z.string()).optional(),
  negative_prompt: z.string().optional(),
  prompt_matrix: z.boolean().optional(),
  /** Inline wildcard lists: name -> lines. */
  wildcards: z.record(z.string(), z.array(scalar)).optional(),
  /** Where __name__ is read from as name.txt; default: the folder "wildcards" beside the plan. */
  wildcards_dir: z.string().optional(),
  seeds: z.array(z.number().int().min(0).max(0xffff_ffff)).optional(),
  seed_range: z.strictObject({ first: z.number().int().min(0).max(0xffff_ffff), count: z.number().int().min(1) }).optional(),
  per_prompt: z.number().int().min(1).optional(),
  /** x, y, z: each one setting with its values, e.g. `x: { sampler: [euler, ddim] }`. */
  axes: z.record(z.string(), z.record(z.string(), z.array(scalar))).optional(),
  ...Object.fromEntries(SETTING_FIELDS.map((field) => [field, (NUMERIC_SETTINGS.has(field) ? z.number() : z.string()).optional()])),
});

/** Whether a file is a plan rather than a prompt list: YAML always; JSON when it is one object with a plan's keys. */
export async function isPlanFile(path: string): Promise<boolean> {
  const extension = extname(path).toLowerCase();
  if (extension === ".yaml" || extension === ".yml") return true;
  if (extension !== ".json") return false;
  try {
    const document: unknown = JSON.parse(await readFile(path, "utf8"));
    return typeof document === "object" && document !== null && !Array.isArray(document)
      && ["prompts", "seeds", "seed_range", "per_prompt", "axes", "wildcards", "prompt_matrix"].some((key) => key in document);
  } catch {
    return false;
  }
}

export async function readPlanFile(path: string): Promise<PlanFile> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read the plan ${path}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
  });
  let document: unknown;
  try {
    document = extname(path).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new InputError(`${path}: not valid ${extname(path).toLowerCase() === ".json" ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`);
  }
  const parsed = PLAN_SCHEMA.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join(".");
    throw new InputError(`${path}: ${where ? `${where}: ` : ""}${issue.code === "unrecognized_keys" ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}` : issue.message}`);
  }
  const fields = parsed.data;
  if (fields.prompt !== undefined && fields.prompts !== undefined) throw new InputError(`${path}: give prompt or prompts, not both`);
  const prompts = fields.prompts ?? (fields.prompt !== undefined ? [fields.prompt] : []);
  if (prompts.length === 0) throw new InputError(`${path}: a plan needs a prompt (or prompts: a list of templates)`);

  const inline = Object.entries(fields.wildcards ?? {}).map(([name, values]) => ({ name, values: values.map(String) }));
  const folder = fields.wildcards_dir ? join(dirname(path), fields.wildcards_dir) : join(dirname(path), "wildcards");
  const fromFiles = await wildcardFiles([...prompts, ...inline.flatMap((list) => list.values)], new Set(inline.map((list) => list.name)), folder, path);

  const axes = Object.entries(fields.axes ?? {}).map(([name, axis]) => {
    const entries = Object.entries(axis);
    if (entries.length !== 1) throw new InputError(`${path}: axes.${name} must name one setting with its values, e.g. { sampler: [euler, ddim] } (it names ${entries.length})`);
    const [settingName, values] = entries[0]!;
    return { name, setting: settingName, values: values.map(String) };
  });

  const settings: SettingValues = {};
  for (const field of SETTING_FIELDS) {
    const value = (fields as Record<string, unknown>)[field];
    if (value !== undefined) settings[field] = value as string | number;
  }
  return {
    plan: {
      prompts,
      negativePrompt: fields.negative_prompt ?? "",
      promptMatrix: fields.prompt_matrix ?? false,
      wildcards: [...inline, ...fromFiles],
      seeds: fields.seeds ?? [],
      seedRange: fields.seed_range ?? null,
      perPrompt: fields.per_prompt ?? 0,
      axes,
    },
    settings,
  };
}

const WILDCARD = /__([A-Za-z0-9][A-Za-z0-9_\-/.]*?)__/g;

/** Reads NAME.txt for every __NAME__ the texts use (and those the files use in turn), one entry a line; # starts a comment. */
async function wildcardFiles(texts: string[], known: Set<string>, folder: string, planPath: string): Promise<{ name: string; values: string[] }[]> {
  const lists: { name: string; values: string[] }[] = [];
  const pending = texts.flatMap((t) => [...t.matchAll(WILDCARD)].map((m) => m[1]!));
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (known.has(name)) continue;
    known.add(name);
    const file = normalize(join(folder, `${name}.txt`));
    if (isAbsolute(name) || !file.startsWith(normalize(folder) + sep)) throw new InputError(`${planPath}: the wildcard __${name}__ points outside ${folder}`);
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`${planPath}: the wildcard __${name}__ needs ${file}${error.code === "ENOENT" ? ", which does not exist" : `: ${error.message}`}`);
    });
    const values = text.split(/\r\n|\r|\n/).map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
    lists.push({ name, values });
    for (const line of values) for (const match of line.matchAll(WILDCARD)) pending.push(match[1]!);
  }
  return lists;
}
