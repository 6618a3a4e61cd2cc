import type { Database } from "../open-database.ts";

export interface AgentHello {
  id: string;
  name: string;
  gpu: string;
  memoryBytes: number;
  providers: string[];
  models: string[];
  /** "<model>@<architecture>" per model; absent: none announced */
  architectures?: string[];
  upscalers?: string[];
  slots: number;
  maxWidth: number;
  maxHeight: number;
  version: string;
}

export interface AgentRow extends AgentHello {
  status: string;
  draining: boolean;
  imagesDone: number;
  lastSeenAt: Date;
  liveShards: number;
}

export const agentRegistry = {
  /** Registers or refreshes an agent; returns whether it is draining (the flag survives reconnects). */
  async upsert(db: Database, agent: AgentHello): Promise<{ draining: boolean }> {
    const rows = await db.query<{ draining: boolean }>(
      `INSERT INTO agent (id, name, gpu, memory_bytes, providers, models, slots, max_width, max_height, version, architectures, upscalers, status, last_seen_at)
       VALUES ($1, $2, $3, $4, $5::text[], $6::text[], $7, $8, $9, $10, $11::text[], $12::text[], 'online', now())
       ON CONFLICT (id) DO UPDATE SET name = $2, gpu = $3, memory_bytes = $4, providers = $5::text[], models = $6::text[],
         slots = $7, max_width = $8, max_height = $9, version = $10, architectures = $11::text[], upscalers = $12::text[],
         status = 'online', last_seen_at = now()
       RETURNING draining`,
      [agent.id, agent.name, agent.gpu, agent.memoryBytes, agent.providers, agent.models, agent.slots,
       agent.maxWidth, agent.maxHeight, agent.version, agent.architectures ?? [], agent.upscalers ?? []],
    );
    return { draining: rows[0]?.draining ?? false };
  },

  async touch(db: Database, agentId: string): Promise<void> {
    await db.query(`UPDATE agent SET last_seen_at = now() WHERE id = $1`, [agentId]);
  },

  async markOffline(db: Database, agentId: string): Promise<void> {
    await db.prisma.agent.updateMany({ where: { id: agentId }, data: { status: "offline" } });
  },

  async setDraining(db: Database, agentId: string, draining: boolean): Promise<AgentRow | undefined> {
    await db.prisma.agent.updateMany({ where: { id: agentId }, data: { draining } });
    return (await agentRegistry.list(db, agentId))[0];
  },

  /** Off the hot paths (ListAgents, the dashboard's farm view): read through Prisma's client. */
  async list(db: Database, onlyId?: string): Promise<AgentRow[]> {
    const rows = await db.prisma.agent.findMany({
      ...(onlyId === undefined ? {} : { where: { id: onlyId } }),
      orderBy: [{ name: "asc" }, { id: "asc" }],
      include: { _count: { select: { shards: { where: { state: "leased" } } } } },
    });
    return rows.map(({ _count, firstSeenAt: _firstSeenAt, ...row }) => ({
      ...row,
      memoryBytes: Number(row.memoryBytes),
      imagesDone: Number(row.imagesDone),
      liveShards: _count.shards,
    }));
  },
};
