import { parseArgs } from "node:util";
import { CliError } from "../cli-error.ts";
import { connect, COORDINATOR_OPTION } from "../client-options.ts";

const DECILE_LABELS = ["min", "p10", "p20", "p30", "p40", "p50", "p60", "p70", "p80", "p90", "max"];

/** `atelier report BATCH [--json]`: the batch's CLIP figures, as the coordinator computes them from its rows. */
export async function reportCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COORDINATOR_OPTION, json: { type: "boolean", default: false } } });
  const batchId = positionals[0];
  if (!batchId) throw new CliError("usage: atelier report BATCH [--json]", 2);
  const client = connect(values);
  try {
    const report = await client.getBatchReport(batchId);
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    const percent = (share: number) => `${(100 * share).toFixed(1)}%`;
    console.log(`batch ${report.batchId}: ${report.items} items`);
    console.log(`  accepted ${report.acceptedItems}, exhausted ${report.exhaustedItems} (every attempt below the gate)`);
    console.log(`  outputs ${report.outputs}, rejected ${report.rejectedOutputs} (${percent(report.rejectedShare)})`);
    if (report.scoredOutputs === 0) console.log("  CLIP scores: none (the batch did not ask for them)");
    else {
      const deciles = report.scoreDeciles.map((value, i) => `${DECILE_LABELS[i]} ${value.toFixed(4)}`).join("  ");
      console.log(`  CLIP scores of ${report.scoredOutputs} outputs (cosine; CLIPScore is 100x): ${deciles}`);
    }
    if (report.fidelityChecked === 0) console.log("  fidelity: not checked");
    else console.log(`  fidelity: ${report.fidelityMatched}/${report.fidelityChecked} match their own prompt best (${percent(report.fidelityRate)})`);
  } finally {
    client.close();
  }
}
