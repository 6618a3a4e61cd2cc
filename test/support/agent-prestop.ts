import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The agent StatefulSet that every Kubernetes overlay builds on. */
export const AGENT_MANIFEST = fileURLToPath(new URL("../../deploy/kubernetes/base/agent-statefulset.yaml", import.meta.url));

interface AgentStatefulSet {
  spec: { template: { spec: { containers: { name: string; lifecycle?: { preStop?: { exec?: { command?: string[] } } } }[] } } };
}

/**
 * The `atelier` arguments of the agent container's preStop hook, as the
 * manifest has them, with its `--pid` pointed at `pid` (in the pod the agent
 * is PID 1), so that a test drains an agent with the very command Kubernetes
 * runs.
 */
export function agentPreStopArgs(pid: number): string[] {
  const manifest = parse(readFileSync(AGENT_MANIFEST, "utf8")) as AgentStatefulSet;
  const agent = manifest.spec.template.spec.containers.find((c) => c.name === "agent");
  const command = agent?.lifecycle?.preStop?.exec?.command;
  if (!command || command[0] !== "atelier") throw new Error(`${AGENT_MANIFEST}: the agent container's preStop is not an \`atelier\` command (${JSON.stringify(command)})`);
  const args = command.slice(1);
  const at = args.indexOf("--pid");
  if (at < 0 || at + 1 >= args.length) throw new Error(`${AGENT_MANIFEST}: the preStop command names no --pid (${JSON.stringify(command)})`);
  args[at + 1] = String(pid);
  return args;
}

const SIGTERM = 15;

/**
 * Whether a SIGTERM sent to process `pid` waits in its pending set (Linux:
 * the ShdPnd mask of /proc/PID/status), as it does while the process is
 * stopped (SIGSTOP).
 */
export function sigtermPending(pid: number): boolean {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const mask = /^ShdPnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (mask === undefined) throw new Error(`/proc/${pid}/status has no ShdPnd line`);
  return (BigInt(`0x${mask}`) & (1n << BigInt(SIGTERM - 1))) !== 0n;
}
