import { spawnSync } from "node:child_process";
import { ensureDebianPackages } from "./debian-packages.ts";
import { REPO_ROOT } from "./cli-process.ts";

// The tools that check deploy/ offline, as the tests install them: Debian's
// kubectl (kubernetes-client; `kubectl kustomize` renders without a cluster)
// and docker-compose (`config` validates without a Docker daemon).

function runs(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: "ignore" }).status === 0;
}

/** Makes sure `kubectl` is on the PATH (see ensureDebianPackages). */
export function ensureKubectl(): void {
  ensureDebianPackages("kubectl", ["kubernetes-client"], () => runs("kubectl", ["version", "--client"]));
}

/** Makes sure `docker-compose` is on the PATH (see ensureDebianPackages). */
export function ensureDockerCompose(): void {
  ensureDebianPackages("docker-compose", ["docker-compose"], () => runs("docker-compose", ["version"]));
}

/**
 * Runs a tool from the repository's root and returns its stdout; fails with
 * its stderr when it exits non-zero. Warnings on stderr of a run that
 * succeeds (newer kustomize on fields Kustomize 2 needs) are left out.
 */
export function runTool(command: string, args: string[], env: Record<string, string> = {}): string {
  const run = spawnSync(command, args, { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`\`${command} ${args.join(" ")}\` failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}`);
  return run.stdout;
}
