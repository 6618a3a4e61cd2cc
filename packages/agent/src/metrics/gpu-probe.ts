import { execFile } from "node:child_process";

export interface GpuReading {
  index: number;
  name: string;
  /** 0..1, as nvidia-smi samples it over its last period. */
  utilisation: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
}

export interface GpuProbe {
  /** The GPUs and their load; [] where none can be read (no NVIDIA driver, CPU hosts). */
  read(): Promise<GpuReading[]>;
}

const QUERY = ["--query-gpu=index,name,utilization.gpu,memory.used,memory.total", "--format=csv,noheader,nounits"];
const MIB = 1024 * 1024;

/** Parses `nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(csv: string): GpuReading[] {
  const readings: GpuReading[] = [];
  for (const line of csv.split("\n")) {
    const fields = line.split(",").map((field) => field.trim());
    if (fields.length !== 5) continue;
    const [index, name, utilisation, used, total] = fields as [string, string, string, string, string];
    // "[N/A]" where the driver cannot say (some virtual GPUs): leave the GPU out rather than report 0.
    const numbers = [index, utilisation, used, total].map(Number);
    if (numbers.some((n) => !Number.isFinite(n))) continue;
    readings.push({ index: numbers[0]!, name, utilisation: numbers[1]! / 100, memoryUsedBytes: numbers[2]! * MIB, memoryTotalBytes: numbers[3]! * MIB });
  }
  return readings;
}

/**
 * Reads GPUs through nvidia-smi, at most once per `cacheMs` however often
 * Prometheus scrapes. A host without nvidia-smi is remembered as such and
 * never spawned again; a failing one is retried after `cacheMs`.
 */
export function nvidiaSmiProbe(options: { command?: string; cacheMs: number; timeoutMs: number }): GpuProbe {
  const command = options.command ?? "nvidia-smi";
  let missing = false;
  let cached: { atMs: number; readings: Promise<GpuReading[]> } | undefined;
  const run = () =>
    new Promise<GpuReading[]>((resolve) => {
      execFile(command, QUERY, { timeout: options.timeoutMs, windowsHide: true }, (error, stdout) => {
        if ((error as NodeJS.ErrnoException | null)?.code === "ENOENT") missing = true;
        resolve(error ? [] : parseNvidiaSmi(stdout));
      });
    });
  return {
    read() {
      if (missing) return Promise.resolve([]);
      const now = performance.now();
      if (!cached || now - cached.atMs >= options.cacheMs) cached = { atMs: now, readings: run() };
      return cached.readings;
    },
  };
}
