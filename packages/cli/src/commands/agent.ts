import { parseArgs } from "node:util";
import { createAgent, createAgentMetrics, nvidiaSmiProbe } from "@atelier/agent";
import { configFields, createLogger, startHttpServer } from "@atelier/common";
import { z } from "zod";
import { tlsFiles } from "../tls-files.ts";
import { parseFlags } from "../flags.ts";
import { resolveModelsDir } from "../models-dir.ts";
import { waitForSignal } from "../signals.ts";

// The agent's flags; the environment variable beside a flag is its default.
const agentFlags = z.object({
  /** HOST:PORT of a coordinator, or several, comma-separated ($ATELIER_COORDINATOR). */
  coordinator: z.string({ error: "is missing: the coordinator's HOST:PORT (or set $ATELIER_COORDINATOR)" }),
  /** The agent's enrolled credential, from `atelier agents enroll` ($ATELIER_AGENT_TOKEN). */
  token: z.string({ error: "is missing: the agent's credential (enroll one with `atelier agents enroll --name NAME`, then pass --token or set $ATELIER_AGENT_TOKEN)" }),
  /** TLS to the coordinator: a PEM CA to trust ($ATELIER_TLS_CA), and a client certificate and key for mutual TLS. */
  "tls-ca": z.string().optional(),
  "tls-cert": z.string().optional(),
  "tls-key": z.string().optional(),
  name: z.string().optional(),
  id: z.string().optional(),
  /** Render slots, one worker thread each. */
  slots: configFields.integer(1, 64).default(1),
  /** Folder of models; unset: the demo model in the user's cache. */
  models: z.string().optional(),
  /** A CLIP model folder (vision_model + text_model ONNX export) for items that ask for CLIP scores ($ATELIER_CLIP_MODEL). */
  "clip-model": z.string().optional(),
  /** The most extra UNet time measuring creators' keywords may cost an image, as a share of its own denoising ($ATELIER_ATTRIBUTION_MAX_OVERHEAD; default 1). */
  "attribution-max-overhead": configFields.nonNegative().optional(),
  /** onnxruntime execution providers in order of preference ($ATELIER_PROVIDERS). */
  providers: configFields.list().default(["cpu"]),
  /** onnxruntime intra-op threads per slot. */
  threads: configFields.integer(1, 256).default(1),
  /** Largest width and height this agent accepts, in pixels. */
  "max-size": configFields.integer(64, 16_384).default(2048),
  /** Per slot: megabytes of idle models kept loaded; unset keeps every model loaded ($ATELIER_MODEL_MEMORY_MB). */
  "model-memory-mb": configFields.nonNegative("megabytes").optional(),
  /** Per slot: megabytes for one UNet call, which sets how many images share it; unset: the GPU's memory over the slots, none on CPU ($ATELIER_BATCH_MEMORY_MB). */
  "batch-memory-mb": configFields.nonNegative("megabytes").optional(),
  /** Prometheus /metrics and /healthz; off unless a port is given ($ATELIER_AGENT_HTTP_PORT). */
  "http-port": configFields.port().optional(),
  "http-host": z.string().default("0.0.0.0"),
  /** First reconnect's ceiling; it doubles per attempt ($ATELIER_RECONNECT_BASE_MS). */
  "reconnect-base-ms": configFields.positiveMs().optional(),
  "log-level": configFields.logLevel().default("info"),
});

export async function agentCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: Object.fromEntries(Object.keys(agentFlags.shape).map((flag) => [flag, { type: "string" as const }])),
  });
  const { env } = process;
  const flags = parseFlags("agent", agentFlags, {
    coordinator: env.ATELIER_COORDINATOR,
    token: env.ATELIER_AGENT_TOKEN,
    "tls-ca": env.ATELIER_TLS_CA,
    providers: env.ATELIER_PROVIDERS,
    "model-memory-mb": env.ATELIER_MODEL_MEMORY_MB,
    "batch-memory-mb": env.ATELIER_BATCH_MEMORY_MB,
    "http-port": env.ATELIER_AGENT_HTTP_PORT,
    "reconnect-base-ms": env.ATELIER_RECONNECT_BASE_MS,
    "clip-model": env.ATELIER_CLIP_MODEL,
    "attribution-max-overhead": env.ATELIER_ATTRIBUTION_MAX_OVERHEAD,
    "log-level": env.LOG_LEVEL,
    ...Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)),
  });
  const { slots, providers } = flags;
  const log = createLogger({ level: flags["log-level"], name: "agent" });
  const gpuProbe = nvidiaSmiProbe({ cacheMs: 5_000, timeoutMs: 3_000 });
  // On a GPU provider, announce this agent's GPU: the first of CUDA_VISIBLE_DEVICES when it names an index, else the first GPU.
  const visible = process.env.CUDA_VISIBLE_DEVICES?.split(",")[0]?.trim();
  const readings = providers.some((p) => p === "cuda" || p === "tensorrt") ? await gpuProbe.read() : [];
  const gpu = readings.find((reading) => String(reading.index) === visible) ?? readings[0];
  const httpPort = flags["http-port"];
  const metrics = httpPort === undefined ? undefined : createAgentMetrics({ gpu: gpuProbe });
  const metricsServer = metrics && (await startHttpServer({ host: flags["http-host"], port: httpPort!, metrics: metrics.registry }));
  if (metricsServer) log.info({ port: metricsServer.port }, "agent metrics at /metrics");
  const tls = tlsFiles({ ca: flags["tls-ca"], cert: flags["tls-cert"], key: flags["tls-key"] });
  const agent = await createAgent({
    coordinator: flags.coordinator,
    security: { token: flags.token, ...(tls ? { tls } : {}) },
    name: flags.name,
    id: flags.id,
    slots,
    modelsDir: await resolveModelsDir(flags.models),
    providers,
    intraOpThreads: flags.threads,
    maxWidth: flags["max-size"],
    maxHeight: flags["max-size"],
    modelMemoryBytes: megabytes(flags["model-memory-mb"]),
    batchMemoryBytes: megabytes(flags["batch-memory-mb"]) ?? (gpu && Math.floor(gpu.memoryTotalBytes / slots)),
    log,
    reconnectBaseMs: flags["reconnect-base-ms"],
    ...(flags["clip-model"] ? { clipModelDir: flags["clip-model"] } : {}),
    ...(flags["attribution-max-overhead"] !== undefined ? { attributionMaxOverhead: flags["attribution-max-overhead"] } : {}),
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

function megabytes(mb: number | undefined): number | undefined {
  return mb === undefined ? undefined : Math.round(mb * 1024 * 1024);
}
