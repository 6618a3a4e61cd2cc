import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { startCommand } from "./cli-process.ts";
import { connectRawAgent } from "./raw-agent.ts";

export interface FloodOptions {
  coordinator: string;
  credential: string;
  perSecond: number;
  seconds: number;
}

/** What a flood run reports: how many beats it wrote, and how and when its stream ended. */
export interface FloodReport {
  sent: number;
  /** The gRPC status code the coordinator ended the stream with; -1 if it had not 10 s after the flood. */
  code: number;
  /** Milliseconds from the first beat until the rogue saw that status. */
  endedAfterMs: number;
}

/**
 * Runs a rogue agent that sends `perSecond` heartbeats a second for
 * `seconds` from its own process, and resolves with its report once it has
 * sent for the full time. A rogue runs on a host of its own: sending from
 * the test's process would take the CPU thread of the in-process agents it
 * attacks, and they would miss heartbeats because of the sender, not the
 * coordinator.
 */
export async function runHeartbeatFlood(options: FloodOptions): Promise<FloodReport> {
  const child = startCommand(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
    FLOOD_COORDINATOR: options.coordinator,
    FLOOD_CREDENTIAL: options.credential,
    FLOOD_PER_SECOND: String(options.perSecond),
    FLOOD_SECONDS: String(options.seconds),
  });
  const code = await child.exited;
  const report = child.output().split("\n").find((line) => line.startsWith('{"sent"'));
  if (code !== 0 || !report) throw new Error(`the heartbeat flood exited with ${code}: ${child.output().slice(-2_000)}`);
  return JSON.parse(report) as FloodReport;
}

async function flood(options: FloodOptions): Promise<FloodReport> {
  const rogue = connectRawAgent(options.coordinator, options.credential, { agentId: "flood", name: "flood", slots: 1, models: ["nothing"] });
  await rogue.next("welcome");
  let endedAt: number | undefined;
  const ended = rogue.ended.then((status) => ((endedAt = Date.now()), status));
  const leases = Array.from({ length: 32 }, (_, i) => ({ shardId: `fake-${i}`, epoch: i + 1 }));
  // Each tick catches up with the rate, however late the tick (at most 5,000 at once).
  const start = Date.now();
  let sent = 0;
  while (Date.now() - start < options.seconds * 1_000) {
    const due = Math.min(5_000, Math.floor(((Date.now() - start) / 1_000) * options.perSecond) - sent);
    for (let n = 0; n < due; n++) rogue.send({ heartbeat: { leases } });
    sent += Math.max(0, due);
    await sleep(10);
  }
  const status = await Promise.race([ended, sleep(10_000).then(() => undefined)]);
  rogue.close();
  return { sent, code: status?.code ?? -1, endedAfterMs: endedAt === undefined ? -1 : endedAt - start };
}

if (process.env.FLOOD_COORDINATOR && process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = await flood({
    coordinator: process.env.FLOOD_COORDINATOR,
    credential: process.env.FLOOD_CREDENTIAL ?? "",
    perSecond: Number(process.env.FLOOD_PER_SECOND),
    seconds: Number(process.env.FLOOD_SECONDS),
  });
  console.log(JSON.stringify(report));
  process.exit(0);
}
