import { readFileSync } from "node:fs";

/** Resident memory of a process from /proc/<pid>/status, in MiB: now (VmRSS) and the peak so far (VmHWM). */
export function residentMemoryMb(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kib("VmRSS") / 1024, peakMb: kib("VmHWM") / 1024 };
}
