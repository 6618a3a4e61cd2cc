import { parseArgs } from "node:util";
import { CliError } from "../cli-error.ts";
import { connect, COORDINATOR_OPTION } from "../client-options.ts";
import { downloadOutputs } from "../download-outputs.ts";

export async function outputsCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COORDINATOR_OPTION, download: { type: "string" } } });
  const batchId = positionals[0];
  if (!batchId) throw new CliError("usage: atelier outputs BATCH [--download DIR]", 2);
  const client = connect(values);
  try {
    if (values.download) {
      const { files, bytes } = await downloadOutputs(client, batchId, values.download);
      console.log(`${files.length} images (${(bytes / 1e6).toFixed(1)} MB) in ${values.download}, each checked against its sha256`);
      return;
    }
    for await (const output of client.listOutputs(batchId)) {
      console.log(`${String(output.index).padStart(8)}  ${output.seed}  ${output.key}  ${output.sha256.slice(0, 12)}  ${output.width}x${output.height}`);
    }
  } finally {
    client.close();
  }
}
