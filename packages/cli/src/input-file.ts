import { createReadStream } from "node:fs";
import { basename, extname } from "node:path";
import { createInterface } from "node:readline";
import type { ItemSpec } from "@atelier/sdk";
import { parse as parseCsv } from "csv-parse";
import { NUMERIC_SETTINGS, SETTING_FIELDS, toRenderSettings, type SettingValues } from "./render-settings.ts";

/** Fields an input line may carry; flags give the defaults for the rest. */
const FIELDS = ["prompt", "negative", "negative_prompt", "seed", "count", ...SETTING_FIELDS] as const;
type Field = (typeof FIELDS)[number];
const NUMERIC: ReadonlySet<string> = new Set(["seed", "count", ...NUMERIC_SETTINGS]);
const MAX_SEED = 0xffff_ffff;

export class InputError extends Error {
  override name = "InputError";
}

/**
 * Reads a prompt file: JSONL (one object per line) or CSV with a header row
 * (RFC 4180: quoted cells may hold commas, quotes and line breaks), chosen by
 * extension. Yields one ItemSpec per record, tagged with "file:line" (the
 * line the record starts on) so that the coordinator's errors point back
 * here. Never holds the whole file.
 */
export async function* readItems(path: string): AsyncGenerator<ItemSpec> {
  const records = extname(path).toLowerCase() === ".csv" ? csvRecords(path) : jsonlRecords(path);
  for await (const { record, source } of records) yield toSpec(record, source);
}

interface SourcedRecord {
  record: Record<string, unknown>;
  /** "file:line" */
  source: string;
}

async function* jsonlRecords(path: string): AsyncGenerator<SourcedRecord> {
  const name = basename(path);
  let lineNumber = 0;
  for await (const line of createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity })) {
    lineNumber++;
    if (line.trim() === "" || line.trimStart().startsWith("//")) continue;
    const source = `${name}:${lineNumber}`;
    yield { record: parseJsonLine(line, source), source };
  }
}

const LINE_BREAK = /\r\n|\r|\n/g;

async function* csvRecords(path: string): AsyncGenerator<SourcedRecord> {
  const name = basename(path);
  // Column counts are checked below (relax_column_count), to name the line and the header.
  const parser = createReadStream(path).pipe(parseCsv({ bom: true, raw: true, skip_empty_lines: true, relax_column_count: true }));
  let header: string[] | undefined;
  // The line a record starts on: csv-parse's own count (info.lines) is off
  // where a quoted cell holds CRLF, so lines are counted from the raw text of
  // each record, which starts with any empty lines skipped before it.
  let linesBefore = 0;
  try {
    for await (const { record: cells, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      const line = linesBefore + 1 + (/^(?:\r\n|\r|\n)*/.exec(raw)![0].match(LINE_BREAK)?.length ?? 0);
      linesBefore += raw.match(LINE_BREAK)?.length ?? 0;
      if (!header) {
        header = cells.map((cell) => cell.trim().toLowerCase());
        for (const field of header) checkField(field, `${name}:${line} (header)`);
        continue;
      }
      const source = `${name}:${line}`;
      if (cells.length !== header.length) throw new InputError(`${source}: expected ${header.length} columns (${header.join(", ")}), found ${cells.length}`);
      yield { record: Object.fromEntries(header.map((field, i) => [field, cells[i]]).filter(([, value]) => value !== "")), source };
    }
  } catch (error) {
    const { code, lines } = error as { code?: string; lines?: number };
    // csv-parse's own errors (an unclosed quote, a quote inside an unquoted cell) name the line they found it on.
    if (typeof code === "string" && code.startsWith("CSV_")) throw new InputError(`${name}:${lines ?? "?"}: not valid CSV (${(error as Error).message})`, { cause: error });
    throw error;
  } finally {
    parser.destroy();
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
  for (const field of ["width", "height", "steps", "count", "clip_skip", "hires_steps", "upscale_scale"] as const) {
    const value = values[field] as number | undefined;
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 0xffff_ffff)) {
      if (field === "hires_steps" && value === 0) continue;
      throw new InputError(`${source}: ${field} must be a positive integer (got ${value})`);
    }
  }
  const guidance = values.guidance as number | undefined;
  if (guidance !== undefined && guidance < 0) throw new InputError(`${source}: guidance must not be negative (got ${guidance})`);
  let settings;
  try {
    settings = toRenderSettings(values as SettingValues);
  } catch (error) {
    throw new InputError(`${source}: ${(error as Error).message}`);
  }
  return {
    prompt: values.prompt,
    negativePrompt: (values.negative ?? values.negative_prompt ?? "") as string,
    seed: (values.seed as number | undefined) ?? 0,
    hasSeed: values.seed !== undefined,
    // 0: not given here; the --count flag (or 1) applies.
    count: (values.count as number | undefined) ?? 0,
    source,
    settings,
  };
}
