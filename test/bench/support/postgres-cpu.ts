import pg from "pg";
import { processCpuSeconds } from "./cpu-usage.ts";

/**
 * CPU seconds of the Postgres backends serving one database, for a machine
 * whose Postgres others use too: summing every `postgres` process counts
 * their work, and goes backwards when their backends exit. Backends are
 * found in pg_stat_activity at each `sample()`; one that exits between two
 * samples loses what it spent since the last. Postgres's shared background
 * processes (WAL writer, checkpointer, autovacuum) are not counted.
 *
 * The meter has a connection of its own, left out of the sum, and the bench's
 * own reads during a run go through `query` on it: on the run's pool, its ten
 * samples a second of pg_stat_activity counted as the farm's work.
 */
export async function postgresBackendCpu(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let started = false;
  async function sample(): Promise<void> {
    const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    for (const { pid } of rows) {
      const seconds = processCpuSeconds(pid);
      if (seconds === 0) continue;
      // A backend already there at the start counts from then; one that starts later counts whole.
      if (!first.has(pid)) first.set(pid, started ? 0 : seconds);
      last.set(pid, seconds);
    }
  }
  return {
    async start(): Promise<void> {
      await sample();
      started = true;
    },
    sample,
    /** A read of the bench's own, on the meter's connection: not counted. */
    async query<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
      return (await client.query<T>(text, params)).rows;
    },
    /** CPU seconds since `start()`, up to the last sample. */
    seconds(): number {
      let total = 0;
      for (const [pid, seconds] of last) total += seconds - first.get(pid)!;
      return total;
    },
    close: () => client.end(),
  };
}
