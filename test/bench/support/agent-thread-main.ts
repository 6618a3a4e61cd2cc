// In-process agents on a thread of their own (the real Agent class), so that
// the benchmark can tell their CPU time from the coordinator's.
import { readlinkSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { Agent } from "@atelier/agent";
import { benchLogger } from "./bench-report.ts";
import { TinyPngRenderer } from "./tiny-png-renderer.ts";

export interface AgentThreadOptions {
  coordinator: string;
  /** One enrolled credential per agent, in order (agent a is `bench-agent-<a>`). */
  credentials: string[];
  agents: number;
  slots: number;
  model: string;
}

const options = workerData as AgentThreadOptions;
const log = benchLogger("bench-agent");
const agents = Array.from({ length: options.agents }, (_, a) => new Agent({
  coordinator: options.coordinator, security: { token: options.credentials[a]! }, id: `bench-agent-${a}`, name: `bench-agent-${a}`,
  renderers: Array.from({ length: options.slots }, () => new TinyPngRenderer()),
  models: [options.model], providers: ["cpu"], gpu: "none", memoryBytes: 0, maxWidth: 64, maxHeight: 64,
  version: "bench", log,
}));
await Promise.all(agents.map((agent) => agent.start()));
// /proc/thread-self names this thread's task id, whose CPU time /proc/<pid>/task/<tid>/stat counts.
parentPort!.postMessage({ started: true, tid: Number(readlinkSync("/proc/thread-self").split("/").pop()) });
parentPort!.once("message", () => {
  void Promise.all(agents.map((agent) => agent.close())).then(() => parentPort!.postMessage({ closed: true }));
});
