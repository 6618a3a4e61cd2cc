import { performance } from "node:perf_hooks";
import { pino, type Logger } from "pino";

/**
 * A benchmark prints exactly one JSON object on stdout, so that scripts and
 * CI can read it; everything else (its own notes, the coordinator's and the
 * agents' logs) goes to stderr.
 */
export function benchLogger(name: string, level = process.env.LOG_LEVEL ?? "warn"): Logger {
  return pino({ name, level }, pino.destination(2));
}

const started = performance.now();

/** A line on stderr, stamped with the seconds since the benchmark started. */
export function note(message: string): void {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${message}\n`);
}

export function printResult(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** `--name value` flags with numeric defaults; anything unknown is an error, not a silent default. */
export function numericFlags<T extends Record<string, number>>(defaults: T, argv = process.argv.slice(2)): T {
  const values: Record<string, number> = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]!.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = Number(argv[i + 1]);
    if (!(name in defaults) || !Number.isFinite(value)) {
      throw new Error(`unknown flag or value "${argv[i]} ${argv[i + 1]}"; flags: ${Object.keys(defaults).map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(" ")}`);
    }
    values[name] = value;
  }
  return values as T;
}

export function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * Items done over time, from counts sampled while a run goes: `perSecond()`
 * gives the items finished in each whole second after `start` (the last
 * second may be partial), as the last sample at or before each boundary saw
 * them. It shows where a run loses time: a slow start, a slow tail.
 */
export function progressTimeline(start = performance.now()) {
  const samples: { at: number; done: number }[] = [{ at: start, done: 0 }];
  return {
    mark(done: number, at = performance.now()): void {
      samples.push({ at, done });
    },
    perSecond(): number[] {
      const last = samples[samples.length - 1]!;
      const counts: number[] = [];
      let before = 0;
      let next = 0;
      for (let second = 1; start + (second - 1) * 1000 < last.at; second++) {
        const boundary = start + second * 1000;
        while (next + 1 < samples.length && samples[next + 1]!.at <= boundary) next++;
        counts.push(samples[next]!.done - before);
        before = samples[next]!.done;
      }
      return counts;
    },
  };
}
