import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/cli-process.ts";

const SKIP = new Set(["node_modules", "generated", "dist", ".turbo"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

describe("repository conventions", () => {
  const roots = [...readdirSync(join(REPO_ROOT, "packages")).map((p) => join(REPO_ROOT, "packages", p)), join(REPO_ROOT, "test")];
  const files = roots.flatMap((root) => sourceFiles(root));

  it("names every source file in kebab-case", () => {
    const offenders = files
      .map((file) => relative(REPO_ROOT, file))
      .filter((file) => !/^[a-z0-9]+(-[a-z0-9]+)*(\.(test|config))?\.(ts|mjs)$/.test(file.split("/").pop()!));
    expect(offenders).toEqual([]);
  });

  it("keeps files small enough to hold one idea", () => {
    const long = files
      .map((file) => ({ file: relative(REPO_ROOT, file), lines: readFileSync(file, "utf8").split("\n").length }))
      .filter((f) => f.lines > 450 && !f.file.endsWith(".test.ts"));
    expect(long).toEqual([]);
  });
});
