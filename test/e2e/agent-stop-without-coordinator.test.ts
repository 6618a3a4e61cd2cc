import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAtelier, waitFor, type RunningProcess } from "../support/cli-process.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { freePort } from "../support/free-port.ts";

// An operator stopping agents after their coordinator went away (or froze)
// must not wait on it: `atelier agent` exits within 2 s of SIGTERM.
const EXIT_WITHIN_MS = 2_000;

/** SIGTERM, then the milliseconds until the process exited, and how. */
async function stopTimed(agent: RunningProcess): Promise<{ ms: number; code: number | NodeJS.Signals }> {
  const sent = performance.now();
  agent.child.kill("SIGTERM");
  const code = await agent.exited;
  const ms = performance.now() - sent;
  console.log(JSON.stringify({ agentStopMs: Math.round(ms) }));
  return { ms, code };
}

// docs/reliability.md, scenario 7 (its coordinator gone).
describe("atelier agent on SIGTERM when its coordinator is gone", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    farm = await startFarm();
  });
  afterAll(() => farm?.close());

  it("exits within 2 s when the coordinator has stopped answering (frozen with SIGSTOP, its connection still open)", async () => {
    const agent = await farm.startAgent("frozen-coordinator");
    const coordinator = farm.coordinator.child;
    coordinator.kill("SIGSTOP");
    try {
      // Frozen for 2 s: its heartbeats (every 300 ms here) have gone unanswered longer than the agent waits
      // for one (1 s), and far shorter than the 30 s keepalive takes to notice a dead peer.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const { ms, code } = await stopTimed(agent);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(EXIT_WITHIN_MS);
    } finally {
      coordinator.kill("SIGCONT");
    }
  });

  it("exits within 2 s when the coordinator was killed and the agent is reconnecting", async () => {
    const agent = await farm.startAgent("killed-coordinator");
    farm.coordinator.child.kill("SIGKILL");
    await waitFor("the agent to notice", async () => agent.output().includes("coordinator stream lost"), 30_000);
    const { ms, code } = await stopTimed(agent);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(EXIT_WITHIN_MS);
  });

  it("exits within 2 s when no coordinator ever answered", async () => {
    const agent = startAtelier(["agent", "--coordinator", `127.0.0.1:${await freePort()}`, "--name", "never-connected", "--models", farm.modelsDir], {
      // Nobody is there to check it.
      ATELIER_AGENT_TOKEN: "unchecked",
      LOG_LEVEL: "warn",
      ATELIER_RECONNECT_BASE_MS: "200",
    });
    try {
      await waitFor("the agent to try and fail", async () => {
        if (agent.child.exitCode !== null) throw new Error(`the agent exited:\n${agent.output()}`);
        return agent.output().includes("coordinator stream lost");
      }, 45_000);
      const { ms, code } = await stopTimed(agent);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(EXIT_WITHIN_MS);
    } finally {
      if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill("SIGKILL");
    }
  });
});
