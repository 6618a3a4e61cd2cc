import type { NewItem } from "@atelier/db";
import { ValidationError } from "../errors.ts";

/**
 * X/Y/Z axes over one setting each, as A1111's X/Y/Z plot: every item of
 * the plan is rendered once per value of each axis. Values travel as text
 * (what the user wrote) and are parsed here, once per axis.
 */
export const AXIS_NAMES = ["x", "y", "z"] as const;
export type AxisName = (typeof AXIS_NAMES)[number];

type Setter = (item: NewItem, value: AxisValue) => void;
type AxisValue = string | number | { width: number; height: number };

interface SettingKind {
  parse: (text: string) => AxisValue | undefined;
  /** What parse accepts, for messages. */
  expects: string;
  apply: Setter;
}

const integer = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text) : undefined);
const decimal = (text: string) => (text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : undefined);
const word = (text: string) => (text.trim() !== "" ? text.trim() : undefined);

const SETTINGS: Record<string, SettingKind> = {
  // Search and replace in the prompt and negative prompt: the first value is
  // the text searched for, each value (the first included) replaces it.
  prompt_sr: { parse: (t) => t, expects: "text", apply: () => {} },
  seed: { parse: integer, expects: "an integer", apply: (item, v) => (item.seed = v as number) },
  steps: { parse: integer, expects: "an integer", apply: (item, v) => (item.steps = v as number) },
  guidance: { parse: decimal, expects: "a number", apply: (item, v) => (item.guidance = v as number) },
  sampler: { parse: word, expects: "a sampler name", apply: (item, v) => (item.sampler = v as string) },
  model: { parse: word, expects: "a model name", apply: (item, v) => (item.model = v as string) },
  width: { parse: integer, expects: "an integer", apply: (item, v) => (item.width = v as number) },
  height: { parse: integer, expects: "an integer", apply: (item, v) => (item.height = v as number) },
  size: {
    parse: (t) => {
      const match = /^\s*(\d+)\s*x\s*(\d+)\s*$/i.exec(t);
      return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
    },
    expects: 'WIDTHxHEIGHT, e.g. "512x768"',
    apply: (item, v) => {
      const size = v as { width: number; height: number };
      item.width = size.width;
      item.height = size.height;
    },
  },
  clip_skip: { parse: integer, expects: "an integer", apply: (item, v) => (item.clipSkip = v as number) },
};

// What users of other tools call the same settings.
const ALIASES: Record<string, string> = { cfg: "guidance", cfg_scale: "guidance", checkpoint: "model", prompt: "prompt_sr", "prompt_s/r": "prompt_sr" };

export const AXIS_SETTINGS = Object.keys(SETTINGS);

export interface AxisDefinition {
  name: AxisName;
  setting: string;
  values: string[];
}

/** An axis ready to apply: its values parsed. */
export interface ParsedAxis extends AxisDefinition {
  apply: (item: NewItem, valueIndex: number) => void;
}

/** Resolves aliases and parses every value; returns problems that name the axis, the value and what was expected. */
export function parseAxis(axis: AxisDefinition, problems: string[]): ParsedAxis | undefined {
  const at = `axes.${axis.name}`;
  const setting = ALIASES[axis.setting.toLowerCase()] ?? axis.setting.toLowerCase();
  const kind = SETTINGS[setting];
  if (!kind) {
    problems.push(`${at}: "${axis.setting.slice(0, 40)}" is not a setting an axis can vary; use one of ${AXIS_SETTINGS.join(", ")}`);
    return undefined;
  }
  if (axis.values.length === 0) {
    problems.push(`${at}: ${setting} has no values`);
    return undefined;
  }
  const values: AxisValue[] = [];
  for (const text of axis.values) {
    const value = kind.parse(text);
    if (value === undefined) problems.push(`${at}: ${setting} value "${text.slice(0, 40)}" is not ${kind.expects}`);
    else values.push(value);
  }
  if (values.length < axis.values.length) return undefined;
  if (setting === "prompt_sr") {
    const search = axis.values[0]!;
    if (search === "") problems.push(`${at}: prompt_sr's first value is the text to search for, and it is empty`);
    return {
      ...axis, setting,
      apply: (item, v) => {
        if (!item.prompt.includes(search)) {
          throw new ValidationError([`${at}: prompt_sr searches for "${search.slice(0, 40)}", which is not in the prompt "${item.prompt.slice(0, 80)}"`]);
        }
        item.prompt = item.prompt.replaceAll(search, axis.values[v]!);
        item.negativePrompt = item.negativePrompt.replaceAll(search, axis.values[v]!);
      },
    };
  }
  return { ...axis, setting, apply: (item, v) => kind.apply(item, values[v]!) };
}
