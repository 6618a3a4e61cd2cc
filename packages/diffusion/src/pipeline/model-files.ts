import { access, readFile } from "node:fs/promises";
import { ModelFormatError } from "../errors.ts";

/** The path when a file is there, undefined when not: a model folder's optional parts. */
export async function optionalFile(path: string): Promise<string | undefined> {
  return access(path).then(
    () => path,
    () => undefined,
  );
}

/** An optional JSON config: {} when the file is absent, a clear error when it is not JSON. */
export async function optionalJson(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return {};
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ModelFormatError(`${path} is not valid JSON`, { cause: error });
  }
}
