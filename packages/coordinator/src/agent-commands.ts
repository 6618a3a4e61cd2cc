import { outboxStore, type Database } from "@atelier/db";
import { z } from "zod";
import type { CoordinatorMessage } from "@atelier/protocol";
import type { AgentSession } from "./agent-session.ts";
import { subjects, type EventBus } from "./events/index.ts";
import type { OutboxRelay } from "./outbox-relay.ts";

/** A message for one agent, wherever it is connected. */
export type AgentCommand = Pick<CoordinatorMessage, "cancel" | "drain">;

// What a command on the bus may be: a cancel or a drain, nothing else. The
// bus is not trusted to carry work or URLs; a message of any other shape is
// dropped, whoever published it.
const commandMessage = z.strictObject({
  agentId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
  command: z.union([
    z.strictObject({ cancel: z.strictObject({ shardId: z.string().max(64), itemIds: z.array(z.string().max(20)).max(10_000), reason: z.string().max(500) }) }),
    z.strictObject({ drain: z.strictObject({ drain: z.boolean() }) }),
  ]),
});

/**
 * Delivers commands to agents. The agent may hold its stream on any
 * coordinator: the command goes straight to a local stream, and through the
 * outbox to the others, which deliver it if the agent is theirs. A command
 * that arrives twice is harmless (cancelling a finished shard is a no-op).
 */
export class AgentCommands {
  private readonly subscription;

  constructor(
    private readonly db: Database,
    bus: EventBus,
    private readonly sessions: Map<string, AgentSession>,
    private readonly relay: () => OutboxRelay,
    onLocalDrain: (session: AgentSession, drain: boolean) => void,
    onRefused: (why: string) => void,
  ) {
    this.subscription = bus.subscribe(subjects.allAgentCommands, (event) => {
      const parsed = commandMessage.safeParse(event.data);
      if (!parsed.success) {
        onRefused(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
        return;
      }
      const { agentId, command } = parsed.data as { agentId: string; command: AgentCommand };
      const session = this.sessions.get(agentId);
      if (!session) return;
      if (command.drain) onLocalDrain(session, command.drain.drain ?? false);
      session.send(command);
    });
  }

  async send(agentId: string, command: AgentCommand): Promise<void> {
    this.sessions.get(agentId)?.send(command);
    await outboxStore.add(this.db, subjects.agentCommand(agentId), { agentId, command });
    this.relay().kick();
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}
