import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli-process.ts";
import { LOADED_MODULES_HOOK, loadedPackages } from "../support/loaded-modules.ts";

// The coordinator reads and writes PNGs (parameters, thumbnails, sweep grids)
// through @atelier/diffusion/png; the package's root would bring the renderer
// and onnxruntime-node's native library into every coordinator's memory.
describe("the coordinator package", () => {
  const dir = mkdtempSync(join(tmpdir(), "atelier-coordinator-modules-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads without the renderer or onnxruntime-node", () => {
    const log = join(dir, "modules.log");
    execFileSync(process.execPath, ["--import", LOADED_MODULES_HOOK, "--import", "tsx", "-e", 'import("@atelier/coordinator").then(() => process.exit(0))'], {
      cwd: join(REPO_ROOT, "packages", "cli"),
      env: { ...process.env, LOADED_MODULES_LOG: log },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const loaded = loadedPackages(log);
    // The trace saw the coordinator's own stack, so the absences below mean something.
    expect([...loaded]).toEqual(expect.arrayContaining(["@atelier/coordinator", "@atelier/dataset", "@atelier/diffusion", "pg", "@grpc/grpc-js"]));
    expect(["onnxruntime-node", "onnxruntime-common"].filter((name) => loaded.has(name))).toEqual([]);
  });
});
