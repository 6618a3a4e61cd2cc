import { describe, expect, it } from "vitest";
import { runAtelier, startCommand } from "../support/cli-process.ts";

// `atelier agent-drain`, the agent pod's preStop command, where it does not
// drain a real agent (test/faults/drain-and-cancel does): against a process
// that ignores SIGTERM, one that is gone, and bad flags.

/** A process that takes SIGTERM and stays, printing "ready" once its handler is in place. */
function stubbornProcess() {
  return startCommand(process.execPath, ["-e", `process.on("SIGTERM", () => console.log("SIGTERM")); setInterval(() => {}, 1000); console.log("ready");`]);
}

describe("atelier agent-drain", () => {
  it("fails, saying what it costs, when the agent has not exited by --timeout-s; says so when there is no agent; names a bad flag", async () => {
    const finished = startCommand(process.execPath, ["-e", ""]);
    await finished.exited;
    const stubborn = stubbornProcess();
    try {
      while (!stubborn.output().includes("ready")) await new Promise((resolve) => setTimeout(resolve, 20));
      const [late, gone, bad] = await Promise.all([
        runAtelier(["agent-drain", "--pid", String(stubborn.child.pid), "--timeout-s", "1"]),
        runAtelier(["agent-drain", "--pid", String(finished.child.pid)]),
        runAtelier(["agent-drain", "--pid", "0"]),
      ]);
      expect(late.code).toBe(1);
      expect(late.output).toContain(`agent (process ${stubborn.child.pid}) has not exited 1 s after SIGTERM; whatever it still holds returns to the queue when its leases expire`);
      expect(stubborn.output()).toContain("SIGTERM");
      expect(gone).toEqual({ code: 0, output: `no process ${finished.child.pid}: the agent has already exited\n` });
      expect(bad.code).toBe(2);
      expect(bad.output).toContain("--pid: must be an integer from 1 to 4194304");
    } finally {
      stubborn.child.kill("SIGKILL");
      await stubborn.exited;
    }
  });
});
