import { agentRegistry, dashboardQueries, type AgentRow, type Database, type ShardRow } from "@atelier/db";
import type { AgentInfo } from "@atelier/dashboard/api-types";
import type { FarmHandlers } from "@atelier/protocol";
import type { Logger } from "@atelier/common";
import { VERSION } from "../version.ts";
import type { FarmLoadSampler } from "./farm-load-sampler.ts";
import { HttpError, readJson } from "./http-io.ts";
import { callUnary } from "./in-process-call.ts";
import type { Route } from "./router.ts";

export interface FarmRoutesDeps {
  db: Database;
  /** The Farm API as the signed-in admin calls it. */
  farm: (actor: string) => FarmHandlers;
  sampler: FarmLoadSampler;
  coordinatorId: string;
  heartbeatIntervalMs: number;
  log: Logger;
}


/** The farm: load history, agents, and drain. */
export function farmRoutes(deps: FarmRoutesDeps): Route[] {
  const { db } = deps;
  // Silent: registered online but no heartbeat for three intervals (hung or cut off).
  const view = (row: AgentRow, shards: ShardRow[], now: number): AgentInfo => {
    const { lastSeenAt, liveShards, status, ...rest } = row;
    const silent = now - lastSeenAt.getTime() > 3 * deps.heartbeatIntervalMs;
    return {
      ...rest,
      status: status !== "online" ? "offline" : silent ? "silent" : row.draining ? "draining" : "online",
      busySlots: liveShards,
      imagesPerMin: deps.sampler.agentRatePerMin(row.id),
      lastSeenMs: lastSeenAt.getTime(),
      currentShards: shards.map(({ agentId: _agent, endedAtMs: _ended, state: _state, ...shard }) => shard),
    };
  };
  const shardsByAgent = (shards: ShardRow[]) => {
    const byAgent = new Map<string, ShardRow[]>();
    for (const shard of shards) byAgent.set(shard.agentId, [...(byAgent.get(shard.agentId) ?? []), shard]);
    return byAgent;
  };

  const detail = async (agentId: string) => {
    const [row] = await agentRegistry.list(db, agentId);
    if (!row) throw new HttpError(404, `agent ${agentId} not found`);
    const recent = await dashboardQueries.recentShards(db, row.id, 50);
    return { agent: view(row, recent.filter((shard) => shard.state === "leased"), Date.now()), recentShards: recent };
  };

  return [
    {
      method: "GET",
      path: "/api/farm",
      handler: async () => ({
        coordinatorId: deps.coordinatorId,
        version: VERSION,
        heartbeatIntervalMs: deps.heartbeatIntervalMs,
        load: deps.sampler.history(),
      }),
    },
    {
      method: "GET",
      path: "/api/agents",
      handler: async () => {
        const [rows, shards] = await Promise.all([agentRegistry.list(db), dashboardQueries.liveShards(db)]);
        const byAgent = shardsByAgent(shards);
        const now = Date.now();
        return { agents: rows.map((row) => view(row, byAgent.get(row.id) ?? [], now)) };
      },
    },
    {
      method: "GET",
      path: "/api/agents/:id",
      handler: async ({ params }) => detail(params.id!),
    },
    {
      method: "POST",
      path: "/api/agents/:id/drain",
      handler: async ({ request, params, session }) => {
        const body = (await readJson(request, 1024)) as { drain?: unknown };
        if (typeof body.drain !== "boolean") throw new HttpError(400, 'send {"drain": true} to drain or {"drain": false} to undrain');
        await callUnary(deps.farm(session!.principal.actor).DrainAgent, { agentId: params.id!, drain: body.drain });
        deps.log.info({ agentId: params.id, drain: body.drain, by: "dashboard" }, body.drain ? "agent drained" : "agent undrained");
        return detail(params.id!);
      },
    },
  ];
}
