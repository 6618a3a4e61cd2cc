/** The subjects Atelier publishes on. Ids are single tokens: no ".", "*", ">" or spaces. */
export const subjects = {
  batchProgress: (batchId: string) => `atelier.batch.${batchId}.progress`,
  /** A server-side dataset export's progress (ExportJobProgress). */
  batchExport: (batchId: string) => `atelier.batch.${batchId}.export`,
  agentStatus: (agentId: string) => `atelier.agent.${agentId}.status`,
  farmLoad: "atelier.farm.load",
  /** Commands for one agent (cancel a shard, drain), for whichever coordinator holds its stream. */
  agentCommand: (agentId: string) => `atelier.agent.${agentId}.command`,
  allAgentCommands: "atelier.agent.*.command",
  /** New work exists: every coordinator should look for agents to serve. */
  work: "atelier.work",
} as const;
