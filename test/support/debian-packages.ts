import { spawnSync } from "node:child_process";

/**
 * Makes sure a tool that tests need is here: when `present()` says it is
 * missing and this process is root on a machine with apt-get, installs the
 * Debian packages that bring it; otherwise fails with the one command that
 * would. A fresh machine of this project's kind runs `npm test` as root, so
 * the suite brings what it needs by itself.
 */
export function ensureDebianPackages(what: string, packages: readonly string[], present: () => boolean, log: (line: string) => void = (line) => console.log(line)): void {
  if (present()) return;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(" ")}`;
  const root = process.getuid?.() === 0;
  const apt = spawnSync("sh", ["-c", "command -v apt-get"], { encoding: "utf8" }).status === 0;
  if (!root || !apt) {
    const how = apt ? `sudo sh -c '${command}'` : `install ${packages.join(", ")}`;
    throw new Error(`the tests need ${what}, which is missing; ${root ? "" : "not root, so not installing it: "}run: ${how}`);
  }
  log(`${what} is missing: installing Debian's ${packages.join(", ")} (${command})`);
  // Another apt-get (a second test run, unattended upgrades) may hold the lock: wait for it rather than fail.
  const options = ["-q", "-o", "DPkg::Lock::Timeout=300"];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", ...options], ["install", "-y", "--no-install-recommends", ...options, ...packages]]) {
    const run = spawnSync("apt-get", args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 15 * 60_000 });
    if (run.status !== 0) {
      throw new Error(`installing ${what} failed at \`apt-get ${args.join(" ")}\` (${run.error?.message ?? `exit ${run.status}`}):\n${(run.stdout + run.stderr).slice(-2_000)}\nrun: ${command}`);
    }
  }
  if (!present()) throw new Error(`apt-get installed ${packages.join(", ")}, yet ${what} is still missing`);
  log(`installed ${what}`);
}
