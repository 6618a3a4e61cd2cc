import { readdirSync, readFileSync } from "node:fs";

// /proc/<pid>/stat counts CPU time in clock ticks; Linux reports 100 per second.
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function processCpuSeconds(pid: number, statPath = `/proc/${pid}/stat`): number {
  try {
    const stat = readFileSync(statPath, "utf8");
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds one thread of a process has used so far (the main thread's task id is the pid). */
export function threadCpuSeconds(pid: number, tid: number): number {
  return processCpuSeconds(pid, `/proc/${pid}/task/${tid}/stat`);
}

/** CPU seconds used so far by every process whose command is `name` (e.g. all Postgres backends). */
export function commandCpuSeconds(name: string): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === name) total += processCpuSeconds(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

/** CPU seconds spent by each named source between `start()` and `stop()`. */
export function cpuMeter(sources: Record<string, () => number>) {
  const started = Object.fromEntries(Object.entries(sources).map(([name, read]) => [name, read()]));
  return {
    stop(): Record<string, number> {
      return Object.fromEntries(Object.entries(sources).map(([name, read]) => [name, read() - started[name]!]));
    },
  };
}
