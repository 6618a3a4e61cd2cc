import { ValidationError } from "../errors.ts";

/**
 * A prompt template as a tree that counts its combinations and renders the
 * k-th one without listing the others, so that a template with millions of
 * combinations costs memory for its text only:
 *
 * - `{red|blue}`: one of the alternatives (each itself a template, so they nest);
 * - `__colors__`: one of the lines of the wildcard list "colors";
 * - anything else is literal text. `\{`, `\}`, `\|` and `\_` are literal characters.
 *
 * Combinations are numbered like nested loops: the last choice in the text
 * varies fastest ("a {red|blue} {circle|square}": red circle, red square,
 * blue circle, blue square).
 */
export type TemplateNode =
  | { kind: "text"; text: string; count: 1 }
  | { kind: "sequence"; parts: TemplateNode[]; count: number }
  | { kind: "choice"; options: TemplateNode[]; count: number };

export interface TemplateContext {
  wildcards: ReadonlyMap<string, readonly string[]>;
  /** Where the template came from, for messages ("prompts[0]"). */
  field: string;
}

/** Wildcard lines may use wildcards; deeper than this is taken for a cycle. */
const MAX_DEPTH = 8;
const WILDCARD = /^__([A-Za-z0-9][A-Za-z0-9_\-/.]*?)__/;

export function parseTemplate(text: string, context: TemplateContext): TemplateNode {
  return new Parser(text, context, 0).parseSequence(false);
}

export function renderTemplate(node: TemplateNode, k: number): string {
  switch (node.kind) {
    case "text":
      return node.text;
    case "choice": {
      for (const option of node.options) {
        if (k < option.count) return renderTemplate(option, k);
        k -= option.count;
      }
      throw new RangeError(`combination ${k} is past the template's end`);
    }
    case "sequence": {
      // Mixed radix with the last part as the lowest digit.
      const out: string[] = new Array<string>(node.parts.length);
      for (let p = node.parts.length - 1; p >= 0; p--) {
        const part = node.parts[p]!;
        out[p] = renderTemplate(part, k % part.count);
        k = Math.floor(k / part.count);
      }
      return out.join("");
    }
  }
}

/** A sequence of parts from already parsed nodes (used to build prompt matrices). */
export function sequence(parts: TemplateNode[]): TemplateNode {
  return { kind: "sequence", parts, count: product(parts.map((part) => part.count)) };
}

export function choice(options: TemplateNode[]): TemplateNode {
  return { kind: "choice", options, count: options.reduce((sum, option) => sum + option.count, 0) };
}

export function text(value: string): TemplateNode {
  return { kind: "text", text: value, count: 1 };
}

/** Splits at `|` outside braces (A1111's prompt matrix separator), keeping escapes as written. */
export function splitTopLevel(template: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}") depth = Math.max(0, depth - 1);
    else if (c === "|" && depth === 0) {
      parts.push(template.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(template.slice(start));
  return parts;
}

// Products saturate at Infinity rather than losing precision past 2^53: any
// count that large is refused by the batch limit anyway.
function product(counts: number[]): number {
  let total = 1;
  for (const count of counts) total = total * count;
  return Number.isSafeInteger(total) ? total : Infinity;
}

class Parser {
  private at = 0;
  constructor(
    private readonly source: string,
    private readonly context: TemplateContext,
    private readonly depth: number,
  ) {}

  parseSequence(inBraces: boolean): TemplateNode {
    const parts: TemplateNode[] = [];
    let literal = "";
    const flush = () => {
      if (literal) parts.push(text(literal));
      literal = "";
    };
    while (this.at < this.source.length) {
      const c = this.source[this.at]!;
      if (c === "\\" && this.at + 1 < this.source.length) {
        literal += this.source[this.at + 1];
        this.at += 2;
      } else if (c === "{") {
        flush();
        this.at++;
        parts.push(this.parseChoice());
      } else if (inBraces && (c === "|" || c === "}")) {
        break;
      } else if (c === "}") {
        this.fail(`has a "}" without its "{" at character ${this.at + 1}`);
      } else if (c === "_" && WILDCARD.test(this.source.slice(this.at))) {
        flush();
        const name = WILDCARD.exec(this.source.slice(this.at))![1]!;
        this.at += name.length + 4;
        parts.push(this.wildcard(name));
      } else {
        literal += c;
        this.at++;
      }
    }
    flush();
    return parts.length === 1 ? parts[0]! : sequence(parts);
  }

  private parseChoice(): TemplateNode {
    const opened = this.at;
    const options: TemplateNode[] = [];
    for (;;) {
      options.push(this.parseSequence(true));
      const c = this.source[this.at];
      if (c === undefined) this.fail(`has a "{" at character ${opened} that is never closed`);
      this.at++;
      if (c === "}") return choice(options);
    }
  }

  private wildcard(name: string): TemplateNode {
    const lines = this.context.wildcards.get(name);
    if (!lines) {
      const known = [...this.context.wildcards.keys()];
      this.fail(`uses the wildcard __${name}__, but the plan has no list "${name}" (${known.length > 0 ? `it has ${known.join(", ")}` : "it has none"})`);
    }
    if (lines.length === 0) this.fail(`uses the wildcard __${name}__, whose list is empty`);
    if (this.depth >= MAX_DEPTH) this.fail(`nests wildcards more than ${MAX_DEPTH} deep (__${name}__ may refer to itself)`);
    return choice(lines.map((line) => new Parser(line, { ...this.context, field: `${this.context.field} (wildcard ${name})` }, this.depth + 1).parseSequence(false)));
  }

  private fail(message: string): never {
    throw new ValidationError([`${this.context.field}: the template ${message}`]);
  }
}
