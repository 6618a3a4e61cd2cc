import { parseArgs } from "node:util";
import { withAdmin } from "../admin-backend.ts";
import { CliError } from "../cli-error.ts";
import { connect, COORDINATOR_OPTION } from "../client-options.ts";

const USAGE = "usage: atelier agents [--json] | atelier agents enroll --name N [--pool P] | atelier agents revoke NAME";

export async function agentsCommand(args: string[]): Promise<void> {
  if (args[0] === "enroll" || args[0] === "revoke") return credentialsCommand(args[0], args.slice(1));
  const { values } = parseArgs({ args, options: { ...COORDINATOR_OPTION, json: { type: "boolean", default: false } } });
  const client = connect(values);
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

/** Enrolls an agent (its credential printed once, on stdout) or revokes its credentials. */
async function credentialsCommand(action: "enroll" | "revoke", args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COORDINATOR_OPTION, name: { type: "string" }, pool: { type: "string", default: "" } } });
  if (action === "enroll") {
    if (!values.name) throw new CliError(`--name is required\n${USAGE}`, 2);
    const enrolled = await withAdmin(values, (admin) => admin.enrollAgent(values.name!, values.pool));
    console.error(`agent ${enrolled.agentId} enrolled; run it with \`atelier agent --coordinator HOST:PORT --token <credential>\` (or $ATELIER_AGENT_TOKEN). The credential is shown once:`);
    console.log(enrolled.credential);
    return;
  }
  const name = positionals[0] ?? values.name;
  if (!name) throw new CliError(USAGE, 2);
  const revoked = await withAdmin(values, (admin) => admin.revokeAgent(name));
  if (revoked === 0) throw new CliError(`agent ${name} has no live credential`, 1);
  console.log(`agent ${name}: ${revoked} credential${revoked === 1 ? "" : "s"} revoked`);
}
