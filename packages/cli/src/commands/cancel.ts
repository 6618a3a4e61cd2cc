import { parseArgs } from "node:util";
import { CliError } from "../cli-error.ts";
import { connect, COORDINATOR_OPTION } from "../client-options.ts";
import { stateName } from "../watch-batch.ts";

export async function cancelCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: COORDINATOR_OPTION });
  const batchId = positionals[0];
  if (!batchId) throw new CliError("usage: atelier cancel BATCH", 2);
  const client = connect(values);
  try {
    const batch = await client.cancelBatch(batchId);
    console.log(`batch ${batch.id} ${stateName(batch.state)}: ${batch.done} done, ${batch.cancelled} cancelled`);
  } finally {
    client.close();
  }
}
