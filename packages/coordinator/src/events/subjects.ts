/** The subjects Atelier publishes on. Ids are single tokens: no ".", "*", ">" or spaces. */
export const subjects = {
  batchProgress: (batchId: string) => `atelier.batch.${batchId}.progress`,
  agentStatus: (agentId: string) => `atelier.agent.${agentId}.status`,
  farmLoad: "atelier.farm.load",
  work: "atelier.work",
} as const;
