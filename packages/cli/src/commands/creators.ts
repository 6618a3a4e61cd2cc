import { parseArgs } from "node:util";
import { withOperator, type CreatorInput } from "../admin-backend.ts";
import { CliError } from "../cli-error.ts";
import { parseInstant } from "../instant.ts";
import { textTable } from "../text-table.ts";

const USAGE = `usage: atelier creators add --tenant T --name NAME --payee REF --keyword K [--keyword K2 | --alias A ...]
                             [--price-per-image P] [--platform-share S] [--effective DATE]
       atelier creators list --tenant T [--at DATE] [--json]
       atelier creators update ID --tenant T [--name NAME] [--payee REF] [--keyword K ... (replaces all)] [--alias A ...]
                             [--price-per-image P|none] [--platform-share S|none] [--effective DATE]
       atelier creators remove ID --tenant T`;

const OPTIONS = {
  tenant: { type: "string" },
  name: { type: "string" },
  payee: { type: "string" },
  keyword: { type: "string", multiple: true },
  alias: { type: "string", multiple: true },
  "price-per-image": { type: "string" },
  "platform-share": { type: "string" },
  effective: { type: "string" },
  at: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

/**
 * Creators whose keywords are measured in outputs and paid in royalty
 * statements. Every change is a new version of the terms, valid from now (or
 * --effective DATE): statements price each image by the terms of its time.
 */
export async function creatorsCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  const tenant = values.tenant;
  if (!tenant || !["add", "list", "update", "remove"].includes(action ?? "")) throw new CliError(USAGE, 2);
  const optionalDecimal = (flag: "price-per-image" | "platform-share") => (values[flag] === undefined ? undefined : values[flag] === "none" ? null : values[flag]);
  const keywords = values.keyword || values.alias ? [...(values.keyword ?? []), ...(values.alias ?? [])] : undefined;
  const input: CreatorInput = {
    ...(values.name !== undefined ? { displayName: values.name } : {}),
    ...(values.payee !== undefined ? { payee: values.payee } : {}),
    ...(keywords ? { keywords } : {}),
    ...(optionalDecimal("price-per-image") !== undefined ? { pricePerImage: optionalDecimal("price-per-image") } : {}),
    ...(optionalDecimal("platform-share") !== undefined ? { platformShare: optionalDecimal("platform-share") } : {}),
    ...(values.effective ? { effectiveAt: parseInstant("--effective", values.effective) } : {}),
  };
  const id = positionals[0];
  if ((action === "update" || action === "remove") && !id) throw new CliError(`atelier creators ${action} needs the creator's ID (from \`atelier creators list\`)\n${USAGE}`, 2);

  await withOperator("creators", async ({ creators }) => {
    if (action === "add") {
      const created = await creators.add(tenant, input);
      console.log(created.id);
      console.error(`creator ${created.displayName} (${created.id}) registered for tenant ${tenant} with keywords ${created.keywords.join(", ")}`);
    } else if (action === "update") {
      const updated = await creators.update(tenant, id!, input);
      console.log(`creator ${updated.displayName} (${updated.id}): version ${updated.versions}, valid from ${updated.validFrom.toISOString()}`);
    } else if (action === "remove") {
      await creators.remove(tenant, id!);
      console.log(`creator ${id} removed: its keywords are no longer measured; past statements keep it`);
    } else {
      const list = await creators.list(tenant, values.at ? parseInstant("--at", values.at) : undefined);
      if (values.json) {
        console.log(JSON.stringify(list, null, 2));
        return;
      }
      const rows = list.map((c) => [c.id, c.displayName, c.payee, c.keywords.join(", "), c.pricePerImage ?? "-", c.platformShare ?? "-", String(c.versions), c.validFrom.toISOString()]);
      console.log(textTable(["ID", "NAME", "PAYEE", "KEYWORDS", "PRICE", "SHARE", "VERSION", "SINCE"], rows));
    }
  });
}
