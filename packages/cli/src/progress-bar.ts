import type { BatchProgress } from "@atelier/sdk";

/**
 * Progress of a batch on stderr: a bar redrawn in place on a terminal, a
 * plain line every few seconds elsewhere (logs, CI).
 */
export class ProgressBar {
  private readonly startedAt = Date.now();
  private lastPlainAt = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(progress: BatchProgress, final = false): void {
    const total = Number(progress.total);
    const done = Number(progress.done);
    const failed = Number(progress.failed);
    const settled = done + failed + Number(progress.cancelled);
    const seconds = (Date.now() - this.startedAt) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 && settled < total ? `ETA ${formatDuration((total - settled) / rate)}` : "";
    const width = 30;
    const filled = total > 0 ? Math.round((settled / total) * width) : 0;
    const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
    const text = `${bar} ${done}/${total} done, ${failed} failed  ${rate.toFixed(1)} img/s  ${eta}`.trimEnd();
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${text}${final ? "\n" : ""}`);
    } else if (final || Date.now() - this.lastPlainAt > 2_000) {
      this.lastPlainAt = Date.now();
      this.out.write(`${text}\n`);
    }
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
