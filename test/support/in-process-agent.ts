import { Writable } from "node:stream";
import { createAgent, systemClock, type Agent, type Clock } from "@atelier/agent";
import { pino } from "pino";

export interface InProcessAgent {
  agent: Agent;
  /** Every line it logged so far (JSON, one a line). */
  output(): string;
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * An agent run inside the test's own process, for what a separate process
 * cannot be given: here, a clock of the test's choosing. One CPU slot over
 * `modelsDir`; resolves once the coordinator has welcomed it.
 */
export async function startInProcessAgent(options: { coordinator: string; credential: string; name: string; modelsDir: string; clock?: Clock }): Promise<InProcessAgent> {
  const clock = options.clock ?? systemClock;
  let output = "";
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  // Lines are stamped by the agent's clock, as its host would stamp them.
  const log = pino({ level: "info", name: "agent", timestamp: () => `,"time":${Math.round(clock.wallMs())}` }, sink);
  const agent = await createAgent({
    coordinator: options.coordinator,
    security: { token: options.credential },
    name: options.name,
    slots: 1,
    modelsDir: options.modelsDir,
    providers: ["cpu"],
    intraOpThreads: 1,
    maxWidth: 2048,
    maxHeight: 2048,
    log,
    reconnectBaseMs: 200,
    clock,
  });
  await agent.start();
  return { agent, output: () => output, close: () => agent.close() };
}
