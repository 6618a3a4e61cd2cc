import type { Database } from "../open-database.ts";

export interface AgentCapacity {
  name: string;
  status: string;
  models: string[];
  /** "<model>@<architecture>" per model */
  architectures: string[];
  upscalers: string[];
  maxWidth: number;
  maxHeight: number;
}

/** What the registered agents can run, and how fast the farm has been going. */
export const capacityStore = {
  async agents(db: Database): Promise<AgentCapacity[]> {
    return db.query<AgentCapacity>(
      `SELECT name, status, models, coalesce(architectures, '{}') AS architectures, coalesce(upscalers, '{}') AS upscalers,
              max_width AS "maxWidth", max_height AS "maxHeight" FROM agent WHERE NOT draining`,
    );
  },

  /** Items finished per second over the recent window, and items waiting in live batches. */
  async throughput(db: Database, windowMs: number): Promise<{ itemsPerSecond: number; queued: number }> {
    const [row] = await db.query<{ recent: number; queued: number }>(
      `SELECT (SELECT count(*)::int FROM output WHERE created_at > now() - make_interval(secs => $1::float8 / 1000)) AS recent,
              (SELECT coalesce(sum(total - done - failed - cancelled), 0)::int FROM batch WHERE state IN ('queued', 'running')) AS queued`,
      [windowMs],
    );
    return { itemsPerSecond: (row?.recent ?? 0) / (windowMs / 1000), queued: row?.queued ?? 0 };
  },
};
