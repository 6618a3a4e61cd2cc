import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { withOperator } from "../admin-backend.ts";
import { CliError } from "../cli-error.ts";
import { textTable } from "../text-table.ts";

const USAGE = `usage: atelier policy set (--tenant T | --farm) [--block TERM ...] [--pattern REGEX ...] [--person NAME ...]
                         [--terms-file FILE] [--persons-file FILE]     a new version, replacing the current one whole
       atelier policy show (--tenant T | --farm) [--json]              the policy in force and its versions
       atelier policy queue [--limit N] [--json]                       quarantined images awaiting a decision
       atelier policy release OUTPUT_ID                                lift an image's quarantine (audited)
Files hold one term or name per line; lines starting with # are comments.`;

/** One entry per non-empty line that is not a comment. */
function lines(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, 2);
  }
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
}

/**
 * Content policy: blocked terms, patterns and a named-person list per tenant,
 * with a farm-wide default for tenants without one; prompts that break it are
 * refused at submit. And the moderation queue of images the safety checker flagged.
 */
export async function policyCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        tenant: { type: "string" },
        farm: { type: "boolean", default: false },
        block: { type: "string", multiple: true, default: [] },
        pattern: { type: "string", multiple: true, default: [] },
        person: { type: "string", multiple: true, default: [] },
        "terms-file": { type: "string" },
        "persons-file": { type: "string" },
        limit: { type: "string", default: "100" },
        json: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  const scope = () => {
    if (values.farm === (values.tenant !== undefined)) throw new CliError(`give either --tenant T or --farm (the default for tenants without a policy)\n${USAGE}`, 2);
    return values.farm ? "" : values.tenant!;
  };

  if (action === "set") {
    const tenant = scope();
    const rules = {
      blockedTerms: [...values.block, ...(values["terms-file"] ? lines(values["terms-file"]) : [])],
      blockedPatterns: values.pattern,
      namedPersons: [...values.person, ...(values["persons-file"] ? lines(values["persons-file"]) : [])],
    };
    const version = await withOperator("policy", ({ policy }) => policy.set(tenant, rules));
    console.log(`${tenant ? `tenant ${tenant}'s` : "the farm's"} content policy is now version ${version.id}: ${rules.blockedTerms.length} blocked terms, ${rules.blockedPatterns.length} patterns, ${rules.namedPersons.length} named people`);
  } else if (action === "show") {
    const tenant = scope();
    const shown = await withOperator("policy", ({ policy }) => policy.show(tenant));
    if (values.json) {
      console.log(JSON.stringify(shown, null, 2));
      return;
    }
    const effective = shown.effective;
    console.log(!effective ? "no content policy applies: every prompt passes" : `in force: ${effective.tenantId ? `tenant ${effective.tenantId}'s` : "the farm's"} version ${effective.id} since ${effective.validFrom.toISOString()}`);
    if (effective) console.log(`  blocked terms: ${effective.blockedTerms.join(", ") || "-"}\n  patterns: ${effective.blockedPatterns.join("  ") || "-"}\n  named people: ${effective.namedPersons.length}`);
    const rows = shown.history.map((v) => [v.id, v.validFrom.toISOString(), v.validTo?.toISOString() ?? "current", v.changedBy, String(v.blockedTerms.length), String(v.blockedPatterns.length), String(v.namedPersons.length)]);
    if (rows.length > 0) console.log(textTable(["VERSION", "FROM", "TO", "BY", "TERMS", "PATTERNS", "PEOPLE"], rows));
  } else if (action === "queue") {
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError(`--limit must be a whole number from 1 to 1000 (got ${values.limit})`, 2);
    const queue = await withOperator("policy", ({ policy }) => policy.queue({ limit }));
    if (values.json) {
      console.log(JSON.stringify(queue, null, 2));
      return;
    }
    console.log(textTable(["OUTPUT", "TENANT", "BATCH", "VERDICT", "MADE", "PROMPT"], queue.map((o) => [o.outputId, o.tenantId, o.batchId, o.safetyVerdict, o.createdAt.toISOString(), o.prompt.slice(0, 60)])));
  } else if (action === "release") {
    const outputId = positionals[0];
    if (!outputId) throw new CliError(`atelier policy release needs the output's id (from \`atelier policy queue\`)\n${USAGE}`, 2);
    const released = await withOperator("policy", ({ policy }) => policy.release(outputId));
    console.log(`output ${outputId} (${released.key}) released from quarantine`);
  } else {
    throw new CliError(USAGE, 2);
  }
}
