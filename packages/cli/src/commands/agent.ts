import { parseArgs } from "node:util";
import { createAgent, createAgentMetrics, nvidiaSmiProbe, shiftWallClock, startAgentMetricsServer } from "@atelier/agent";
import { createLogger } from "@atelier/coordinator";
import { CliError } from "../cli-error.ts";
import { resolveModelsDir } from "../models-dir.ts";
import { waitForSignal } from "../signals.ts";

export async function agentCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      coordinator: { type: "string" },
      name: { type: "string" },
      id: { type: "string" },
      slots: { type: "string", default: "1" },
      models: { type: "string" },
      providers: { type: "string", default: process.env.ATELIER_PROVIDERS ?? "cpu" },
      threads: { type: "string", default: "1" },
      "max-size": { type: "string", default: "2048" },
      // Per slot: megabytes of idle models kept loaded; unset keeps every model loaded.
      "model-memory-mb": { type: "string", default: process.env.ATELIER_MODEL_MEMORY_MB },
      // Per slot: megabytes for one UNet call, which sets how many images share it; default: the GPU's memory over the slots, none on CPU.
      "batch-memory-mb": { type: "string", default: process.env.ATELIER_BATCH_MEMORY_MB },
      // Prometheus /metrics and /healthz; off unless a port is given.
      "http-port": { type: "string", default: process.env.ATELIER_AGENT_HTTP_PORT },
      "http-host": { type: "string", default: "0.0.0.0" },
    },
  });
  // Tests only: a skewed host clock, which nothing the agent does may depend on (RELIABILITY.md, scenario 13).
  const clockOffsetMs = Number(process.env.ATELIER_TEST_CLOCK_OFFSET_MS ?? 0);
  if (!Number.isFinite(clockOffsetMs)) throw new CliError(`ATELIER_TEST_CLOCK_OFFSET_MS must be a number of milliseconds (got ${process.env.ATELIER_TEST_CLOCK_OFFSET_MS})`, 2);
  shiftWallClock(clockOffsetMs);
  const coordinator = values.coordinator ?? process.env.ATELIER_COORDINATOR;
  if (!coordinator) throw new CliError("usage: atelier agent --coordinator HOST:PORT [--name NAME] [--slots N] [--models DIR]", 2);
  const slots = Number(values.slots);
  if (!Number.isInteger(slots) || slots < 1 || slots > 64) throw new CliError(`--slots must be an integer between 1 and 64 (got ${values.slots})`, 2);
  const maxSide = Number(values["max-size"]);
  const modelMemoryMb = values["model-memory-mb"] === undefined || values["model-memory-mb"] === "" ? undefined : Number(values["model-memory-mb"]);
  if (modelMemoryMb !== undefined && !(modelMemoryMb >= 0)) throw new CliError(`--model-memory-mb must be a number of megabytes, 0 or more (got ${values["model-memory-mb"]})`, 2);
  const batchMemoryMb = values["batch-memory-mb"] === undefined || values["batch-memory-mb"] === "" ? undefined : Number(values["batch-memory-mb"]);
  if (batchMemoryMb !== undefined && !(batchMemoryMb >= 0)) throw new CliError(`--batch-memory-mb must be a number of megabytes, 0 or more (got ${values["batch-memory-mb"]})`, 2);
  const httpPort = values["http-port"] === undefined || values["http-port"] === "" ? undefined : Number(values["http-port"]);
  if (httpPort !== undefined && !(Number.isInteger(httpPort) && httpPort >= 0 && httpPort <= 65_535)) {
    throw new CliError(`--http-port must be a port number (got ${values["http-port"]})`, 2);
  }
  const log = createLogger({ level: process.env.LOG_LEVEL ?? "info", name: "agent" });
  const providers = values.providers.split(",").map((p) => p.trim()).filter(Boolean);
  const gpuProbe = nvidiaSmiProbe({ cacheMs: 5_000, timeoutMs: 3_000 });
  // On a GPU provider, announce this agent's GPU: the first of CUDA_VISIBLE_DEVICES when it names an index, else the first GPU.
  const visible = process.env.CUDA_VISIBLE_DEVICES?.split(",")[0]?.trim();
  const readings = providers.some((p) => p === "cuda" || p === "tensorrt") ? await gpuProbe.read() : [];
  const gpu = readings.find((reading) => String(reading.index) === visible) ?? readings[0];
  const metrics = httpPort === undefined ? undefined : createAgentMetrics({ gpu: gpuProbe });
  const metricsServer = metrics && (await startAgentMetricsServer({ host: values["http-host"], port: httpPort!, registry: metrics.registry }));
  if (metricsServer) log.info({ port: metricsServer.port }, "agent metrics at /metrics");
  const agent = await createAgent({
    coordinator,
    name: values.name,
    id: values.id,
    slots,
    modelsDir: await resolveModelsDir(values.models),
    providers,
    intraOpThreads: Number(values.threads),
    maxWidth: maxSide,
    maxHeight: maxSide,
    modelMemoryBytes: modelMemoryMb === undefined ? undefined : modelMemoryMb * 1024 * 1024,
    batchMemoryBytes: batchMemoryMb !== undefined ? batchMemoryMb * 1024 * 1024 : gpu && Math.floor(gpu.memoryTotalBytes / slots),
    log,
    reconnectBaseMs: process.env.ATELIER_RECONNECT_BASE_MS ? Number(process.env.ATELIER_RECONNECT_BASE_MS) : undefined,
    metrics,
    gpu: gpu && { name: gpu.name, memoryBytes: gpu.memoryTotalBytes },
  });
  // Connects (and keeps reconnecting) in the background; a signal may come first.
  void agent.start();
  const signal = await waitForSignal();
  // SIGTERM drains: unfinished shards go back to the queue at no attempt cost.
  log.info({ signal }, "stopping: handing back unfinished shards");
  await agent.stop();
  await metricsServer?.close();
}
