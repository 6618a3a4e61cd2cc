import { readFileSync } from "node:fs";
import { hostname, totalmem } from "node:os";
import type { Logger } from "@atelier/common";
import type { ClientSecurity } from "@atelier/protocol";
import { Agent } from "./agent.ts";
import { systemClock, type Clock } from "./clock.ts";
import type { AgentMetrics } from "./metrics/index.ts";
import { discoverModels } from "./model-catalog.ts";
import { WorkerRenderer } from "./worker-renderer.ts";

export interface AgentConfig {
  coordinator: string;
  /** The enrolled credential and TLS settings; with a credential, the id is the one it was enrolled under. */
  security?: ClientSecurity;
  name?: string;
  id?: string;
  slots: number;
  modelsDir: string;
  providers: string[];
  intraOpThreads: number;
  maxWidth: number;
  maxHeight: number;
  log: Logger;
  reconnectBaseMs?: number;
  /** Prometheus metrics to feed (createAgentMetrics); served by whoever owns the HTTP port. */
  metrics?: AgentMetrics;
  /** Per slot, bytes of idle models kept loaded; past it the least recently used is unloaded (and loaded again when needed). Unset: all stay loaded. */
  modelMemoryBytes?: number;
  /** Per slot, memory for a UNet call: as many of a shard's images share a call as fit. Unset: one image a call. */
  batchMemoryBytes?: number;
  /** The GPU this agent drives, as announced to the coordinator; unset on CPU (the host is announced). */
  gpu?: { name: string; memoryBytes: number };
  /** Where the agent reads time. Default: the host's clocks. */
  clock?: Clock;
  /** A CLIP model folder (vision_model + text_model ONNX export) for items that ask for CLIP scores. */
  clipModelDir?: string;
  /** The most extra UNet time measuring keywords may cost an image, as a share of its own denoising (the pipeline's default: 1). */
  attributionMaxOverhead?: number;
}

const VERSION: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

/** An agent with one worker-thread renderer per slot over the models it finds in `modelsDir`. */
export async function createAgent(config: AgentConfig): Promise<Agent> {
  const catalog = await discoverModels(config.modelsDir);
  for (const { name, reason } of catalog.skipped) config.log.warn({ model: name, reason }, "model folder skipped");
  const models = Object.fromEntries(Object.entries(catalog.models).map(([name, { dir }]) => [name, dir]));
  const renderers = Array.from(
    { length: config.slots },
    () => new WorkerRenderer({
      models, upscalers: catalog.upscalers, providers: config.providers, intraOpThreads: config.intraOpThreads, modelMemoryBytes: config.modelMemoryBytes, batchMemoryBytes: config.batchMemoryBytes,
      ...(config.clipModelDir ? { clipModel: config.clipModelDir } : {}),
    }),
  );
  const clock = config.clock ?? systemClock;
  const loading = clock.monotonicMs();
  await Promise.all(renderers.map((r) => r.ready().then(() => config.metrics?.modelsLoaded(clock.monotonicMs() - loading))));
  // Agent ids travel in event subjects: one token of letters, digits, _ and -.
  // An enrolled agent's id is its credential's: unnamed, it leaves the credential to say.
  const enrolled = config.security?.token !== undefined;
  const name = config.name ?? (enrolled ? "" : `${hostname().replace(/[^A-Za-z0-9_-]/g, "-")}-gpu0`);
  const agent = new Agent({
    coordinator: config.coordinator,
    security: config.security,
    id: config.id ?? name,
    name,
    renderers,
    models: Object.keys(models),
    modelInfo: Object.entries(catalog.models).map(([name, { architecture }]) => ({ name, architecture })),
    upscalers: Object.keys(catalog.upscalers),
    providers: config.providers,
    // Without a GPU the "GPU" is the host.
    gpu: config.gpu?.name ?? (config.providers.includes("cpu") && config.providers.length === 1 ? "cpu" : config.providers.join(",")),
    memoryBytes: config.gpu?.memoryBytes ?? totalmem(),
    maxWidth: config.maxWidth,
    maxHeight: config.maxHeight,
    version: VERSION,
    // Every line this agent logs names it, as the coordinator's lines do.
    log: config.log.child({ agentId: config.id ?? (name || "enrolled") }),
    reconnectBaseMs: config.reconnectBaseMs,
    observer: config.metrics,
    clock,
    ...(config.attributionMaxOverhead !== undefined ? { attributionMaxOverhead: config.attributionMaxOverhead } : {}),
  });
  config.metrics?.follow(agent, config.slots);
  return agent;
}
