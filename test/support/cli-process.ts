import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const ATELIER_BIN = fileURLToPath(new URL("../../packages/cli/bin/atelier.mjs", import.meta.url));

export interface RunningProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** Resolves with the exit code (or signal) once it exits. */
  exited: Promise<number | NodeJS.Signals>;
}

/** Starts `atelier <args>` as its own process, the way a user would run it. */
export function startAtelier(args: string[], env: Record<string, string> = {}): RunningProcess {
  return startCommand(process.execPath, [ATELIER_BIN, ...args], env);
}

/** Starts any command from the repository's root with the test's environment plus `env`. */
export function startCommand(command: string, args: string[], env: Record<string, string> = {}): RunningProcess {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_NO_WARNINGS: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal!)));
  return { child, output: () => output, exited };
}

/** Runs `atelier <args>` to completion. */
export async function runAtelier(args: string[], env: Record<string, string> = {}): Promise<{ code: number | NodeJS.Signals; output: string }> {
  const running = startAtelier(args, env);
  const code = await running.exited;
  return { code, output: running.output() };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ""}`);
}
