import { parseArgs } from "node:util";
import { configFields } from "@atelier/common";
import { z } from "zod";
import { CliError } from "../cli-error.ts";
import { parseFlags } from "../flags.ts";

// `atelier agent-drain`: what a pod's preStop hook runs (deploy/kubernetes)
// before Kubernetes stops an agent. It starts the agent's graceful stop
// (SIGTERM: claim nothing more, hand unfinished shards back at no attempt
// cost, wait for the last results' acknowledgements) and returns only once
// the agent has exited: Kubernetes sends its own SIGTERM when the hook
// returns, and a second signal ends the agent at once.
const drainFlags = z.object({
  /** The agent's process; in its container that is PID 1. */
  pid: configFields.integer(1, 2 ** 22).default(1),
  /** How long to wait for the agent to exit; keep it under the pod's terminationGracePeriodSeconds. */
  "timeout-s": configFields.integer(1, 3_600).default(50),
});

const POLL_MS = 100;

export async function agentDrainCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { pid: { type: "string" }, "timeout-s": { type: "string" } } });
  const flags = parseFlags("agent-drain", drainFlags, values);
  const { pid } = flags;
  const started = Date.now();
  if (!signal(pid, "SIGTERM")) {
    console.log(`no process ${pid}: the agent has already exited`);
    return;
  }
  const deadline = started + flags["timeout-s"] * 1_000;
  while (signal(pid, 0)) {
    if (Date.now() >= deadline) {
      throw new CliError(`agent (process ${pid}) has not exited ${flags["timeout-s"]} s after SIGTERM; whatever it still holds returns to the queue when its leases expire`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  console.log(`agent (process ${pid}) drained and exited after ${((Date.now() - started) / 1_000).toFixed(1)} s`);
}

/** Sends `sig` to `pid` (0: only checks that it exists); false when no such process exists. */
function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ESRCH") return false;
    if (code === "EPERM") throw new CliError(`process ${pid} belongs to another user: run agent-drain as the agent's user`);
    throw error;
  }
}
