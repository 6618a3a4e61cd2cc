import { parseArgs } from "node:util";
import { connect, COORDINATOR_OPTION } from "../client-options.ts";

export async function agentsCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { ...COORDINATOR_OPTION, json: { type: "boolean", default: false } } });
  const client = connect(values.coordinator);
  try {
    const agents = await client.listAgents();
    if (values.json) {
      console.log(JSON.stringify(agents, null, 2));
      return;
    }
    if (agents.length === 0) {
      console.log("no agents have connected yet: start one with `atelier agent --coordinator HOST:PORT`");
      return;
    }
    const rows = agents.map((a) => [a.name, a.status + (a.draining ? " (draining)" : ""), `${a.busySlots}/${a.slots}`, a.models.join(","), a.providers.join(","), String(a.imagesDone)]);
    const header = ["NAME", "STATUS", "BUSY", "MODELS", "PROVIDERS", "IMAGES"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
  } finally {
    client.close();
  }
}
