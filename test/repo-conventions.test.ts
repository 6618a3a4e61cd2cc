import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
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

  it("links from the README and docs/ only to files inside the repository", () => {
    const pages = ["README.md", ...readdirSync(join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(REPO_ROOT, page), "utf8");
      // Markdown links and images: [text](target) and ![alt](target), outside code spans.
      for (const [, target] of text.replace(/`[^`\n]*`/g, "").matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const path = target!.split("#")[0]!;
        if (path === "") continue; // an anchor on the same page
        const file = resolve(REPO_ROOT, dirname(page), decodeURIComponent(path));
        const inside = !/^[a-z][a-z0-9+.-]*:/i.test(path) && !relative(REPO_ROOT, file).startsWith("..");
        if (!inside || !existsSync(file)) broken.push(`${page}: ${target}`);
      }
      // Nor in prose: a reader of this repository has nothing beside it.
      for (const [mention] of text.matchAll(/\.\.\/shared\/[\w./-]+/g)) broken.push(`${page}: ${mention}`);
    }
    expect(broken).toEqual([]);
  });

  it("keeps files small enough to hold one idea", () => {
    const long = files
      .map((file) => ({ file: relative(REPO_ROOT, file), lines: readFileSync(file, "utf8").split("\n").length }))
      .filter((f) => f.lines > 450 && !f.file.endsWith(".test.ts"));
    expect(long).toEqual([]);
  });
});
