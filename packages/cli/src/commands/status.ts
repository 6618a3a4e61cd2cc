import { parseArgs } from "node:util";
import { CliError } from "../cli-error.ts";
import { connect, COORDINATOR_OPTION } from "../client-options.ts";
import { stateName } from "../watch-batch.ts";

export async function statusCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COORDINATOR_OPTION, json: { type: "boolean", default: false } } });
  const batchId = positionals[0];
  if (!batchId) throw new CliError("usage: atelier status BATCH [--json]", 2);
  const client = connect(values);
  try {
    const batch = await client.getBatch(batchId);
    if (values.json) {
      console.log(JSON.stringify({ ...batch, state: stateName(batch.state) }, null, 2));
      return;
    }
    console.log(`batch ${batch.id} (${batch.name || "unnamed"}, tenant ${batch.tenant}): ${stateName(batch.state)}`);
    console.log(`  ${batch.done}/${batch.total} done, ${batch.failed} failed, ${batch.cancelled} cancelled`);
    for (const failure of batch.failures) console.log(`  item ${failure.index} failed after ${failure.attempts} attempts: ${failure.error}`);
  } finally {
    client.close();
  }
}
