import { outboxStore, type Database } from "@atelier/db";
import type { CoordinatorMessage } from "@atelier/protocol";
import type { AgentSession } from "./agent-session.ts";
import { subjects, type EventBus } from "./events/index.ts";
import type { OutboxRelay } from "./outbox-relay.ts";

/** A message for one agent, wherever it is connected. */
export type AgentCommand = Pick<CoordinatorMessage, "cancel" | "drain">;

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
  ) {
    this.subscription = bus.subscribe(subjects.allAgentCommands, (event) => {
      const { agentId, command } = event.data as { agentId: string; command: AgentCommand };
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
