import { createReadStream } from "node:fs";
import { basename, extname } from "node:path";
import { createInterface } from "node:readline";
import type { ItemSpec } from "@atelier/sdk";

/** Fields an input line may carry; flags give the defaults for the rest. */
const FIELDS = ["prompt", "negative", "negative_prompt", "seed", "width", "height", "steps", "guidance", "sampler", "count", "model"] as const;
type Field = (typeof FIELDS)[number];
const NUMERIC: ReadonlySet<Field> = new Set(["seed", "width", "height", "steps", "guidance", "count"]);
const MAX_SEED = 0xffff_ffff;

export class InputError extends Error {
  override name = "InputError";
}

/**
 * Reads a prompt file line by line: JSONL (one object per line) or CSV with
 * a header row, chosen by extension. Yields one ItemSpec per line, tagged
 * with "file:line" so that the coordinator's errors point back here. Never
 * holds the whole file.
 */
export async function* readItems(path: string): AsyncGenerator<ItemSpec> {
  const format = extname(path).toLowerCase() === ".csv" ? "csv" : "jsonl";
  const name = basename(path);
  let header: string[] | undefined;
  let lineNumber = 0;
  const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === "" || (format === "jsonl" && line.trimStart().startsWith("//"))) continue;
    const source = `${name}:${lineNumber}`;
    let record: Record<string, unknown>;
    if (format === "jsonl") {
      record = parseJsonLine(line, source);
    } else if (!header) {
      header = parseCsvLine(line, source).map((h) => h.trim().toLowerCase());
      for (const field of header) checkField(field, `${name}:${lineNumber} (header)`);
      continue;
    } else {
      const cells = parseCsvLine(line, source);
      if (cells.length !== header.length) throw new InputError(`${source}: expected ${header.length} columns (${header.join(", ")}), found ${cells.length}`);
      record = Object.fromEntries(header.map((h, i) => [h, cells[i]]).filter(([, v]) => v !== ""));
    }
    yield toSpec(record, source);
  }
}

/** Reads the whole file once without keeping it, so that a bad line is reported before anything is sent. */
export async function checkInputFile(path: string): Promise<number> {
  let lines = 0;
  for await (const _spec of readItems(path)) lines++;
  if (lines === 0) throw new InputError(`${basename(path)}: no prompts found`);
  return lines;
}

function parseJsonLine(line: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new InputError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError(`${source}: each line must be a JSON object such as {"prompt": "a red circle"}`);
  }
  return value as Record<string, unknown>;
}

/** One CSV record on one line: commas, double-quoted cells with "" for a quote. */
export function parseCsvLine(line: string, source: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === '"' && cell === "") {
      quoted = true;
    } else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else {
      cell += ch;
    }
  }
  if (quoted) throw new InputError(`${source}: unterminated quoted cell`);
  cells.push(cell);
  return cells;
}

function checkField(field: string, source: string): asserts field is Field {
  if (!(FIELDS as readonly string[]).includes(field)) {
    throw new InputError(`${source}: unknown field "${field}"; known fields: ${FIELDS.filter((f) => f !== "negative_prompt").join(", ")}`);
  }
}

function toSpec(record: Record<string, unknown>, source: string): ItemSpec {
  const values: Partial<Record<Field, string | number>> = {};
  for (const [field, raw] of Object.entries(record)) {
    checkField(field, source);
    if (NUMERIC.has(field)) {
      const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
      if (typeof value !== "number" || !Number.isFinite(value)) throw new InputError(`${source}: ${field} must be a number (got ${JSON.stringify(raw)})`);
      values[field] = value;
    } else {
      if (typeof raw !== "string") throw new InputError(`${source}: ${field} must be a string (got ${JSON.stringify(raw)})`);
      values[field] = raw;
    }
  }
  if (typeof values.prompt !== "string") throw new InputError(`${source}: prompt is missing`);
  if (values.seed !== undefined && (!Number.isInteger(values.seed) || (values.seed as number) < 0 || (values.seed as number) > MAX_SEED)) {
    throw new InputError(`${source}: seed must be an integer between 0 and ${MAX_SEED} (got ${values.seed})`);
  }
  for (const field of ["width", "height", "steps", "count"] as const) {
    const value = values[field] as number | undefined;
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 0xffff_ffff)) {
      throw new InputError(`${source}: ${field} must be a positive integer (got ${value})`);
    }
  }
  const guidance = values.guidance as number | undefined;
  if (guidance !== undefined && guidance < 0) throw new InputError(`${source}: guidance must not be negative (got ${guidance})`);
  return {
    prompt: values.prompt,
    negativePrompt: (values.negative ?? values.negative_prompt ?? "") as string,
    seed: (values.seed as number | undefined) ?? 0,
    hasSeed: values.seed !== undefined,
    // 0: not given here; the --count flag (or 1) applies.
    count: (values.count as number | undefined) ?? 0,
    source,
    settings: {
      model: (values.model as string | undefined) ?? "",
      width: (values.width as number | undefined) ?? 0,
      height: (values.height as number | undefined) ?? 0,
      steps: (values.steps as number | undefined) ?? 0,
      guidance: guidance ?? 0,
      sampler: (values.sampler as string | undefined) ?? "",
    },
  };
}
