import { parseArgs } from "node:util";
import { withOperator } from "../admin-backend.ts";
import { CliError } from "../cli-error.ts";
import { parseInstant } from "../instant.ts";
import { csvTable, textTable } from "../text-table.ts";

const USAGE = `usage: atelier royalties --tenant T --from DATE --to DATE [--price-per-image P] [--platform-share S]
                         [--format table|csv|json] [--creator ID --items]`;

const FORMATS = ["table", "csv", "json"] as const;

/**
 * A royalty statement: per creator, images, mean contribution, gross, the
 * platform's share and payable, computed in SQL from the recorded
 * contributions, each image priced by the creator's terms valid when it was
 * made (--price-per-image and --platform-share where the terms set none).
 * --to DATE covers that whole day; a date and time is exclusive.
 */
export async function royaltiesCommand(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        tenant: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        "price-per-image": { type: "string" },
        "platform-share": { type: "string" },
        format: { type: "string", default: "table" },
        creator: { type: "string" },
        items: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n${USAGE}`, 2);
  }
  const { values } = parsed;
  if (!values.tenant || !values.from || !values.to) throw new CliError(`--tenant, --from and --to are required\n${USAGE}`, 2);
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new CliError(`--format must be one of ${FORMATS.join(", ")} (got ${values.format})`, 2);
  if (values.items && !values.creator) throw new CliError(`--items lists the images behind one creator's figures: give --creator ID\n${USAGE}`, 2);
  const period = {
    tenantId: values.tenant,
    from: parseInstant("--from", values.from),
    to: parseInstant("--to", values.to, { endOfDay: true }),
    pricePerImage: values["price-per-image"] ?? null,
    platformShare: values["platform-share"] ?? null,
  };

  await withOperator("royalties", async ({ creators }) => {
    if (values.items) {
      const items = await creators.statementItems(period, values.creator!);
      const header = ["output", "item", "batch", "created_at", "keywords", "contribution", "price", "share", "payable", "prompt"];
      const rows = items.map((i) => [i.outputId, i.itemId, i.batchId, i.createdAt.toISOString(), i.keywords.join("|"), i.contribution, i.price, i.share, i.payable, i.prompt]);
      print(format, header, rows, items, new Set([5, 6, 7, 8]));
      return;
    }
    let lines = await creators.statement(period);
    if (values.creator) lines = lines.filter((l) => l.creatorId === values.creator);
    const header = ["creator", "name", "payee", "images", "mean_contribution", "gross", "platform_share", "payable"];
    const rows = lines.map((l) => [l.creatorId, l.displayName, l.payee, String(l.images), l.meanContribution, l.gross, l.platform, l.payable]);
    print(format, header, rows, lines, new Set([3, 4, 5, 6, 7]));
    if (format === "table") console.error(`tenant ${period.tenantId}, ${period.from.toISOString()} to ${period.to.toISOString()} (exclusive)`);
  });
}

function print(format: (typeof FORMATS)[number], header: string[], rows: string[][], json: unknown, numeric: ReadonlySet<number>): void {
  if (format === "json") console.log(JSON.stringify(json, null, 2));
  else if (format === "csv") process.stdout.write(csvTable(header, rows));
  else console.log(textTable(header.map((h) => h.toUpperCase()), rows, numeric));
}
