import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { GpuProbe, GpuReading } from "./gpu-probe.ts";

/** What the agent reports as it works; the Prometheus side is createAgentMetrics. */
export interface AgentObserver {
  /** One image rendered and uploaded. */
  rendered(image: { steps: number; inferenceMs: number; uploadMs: number; unetMs?: number }): void;
  failed(retryable: boolean): void;
}

export interface AgentMetrics extends AgentObserver {
  readonly registry: Registry;
  /** A render worker loaded its models (at start-up, before it takes work). */
  modelsLoaded(ms: number): void;
  /** Where the shard gauges read from, once the agent exists. */
  follow(agent: { readonly activeShards: number }, slots: number): void;
}

/**
 * The agent's Prometheus metrics on a registry of its own: inference time
 * per denoising step, model load time, images rendered and failed, upload
 * time, shards in hand, and GPU utilisation and memory where nvidia-smi can
 * read them.
 */
export function createAgentMetrics(options: { gpu: GpuProbe }): AgentMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "atelier_agent_" });
  const images = new Counter({ name: "atelier_agent_images_rendered_total", help: "Images rendered and uploaded", registers: [registry] });
  const failures = new Counter({
    name: "atelier_agent_items_failed_total",
    help: "Items that failed here; retryable=false when retrying cannot help (bad prompt, missing model)",
    labelNames: ["retryable"] as const,
    registers: [registry],
  });
  const stepSeconds = new Histogram({
    name: "atelier_agent_step_seconds",
    help: "Inference time per denoising step: an image's text encoding, denoising and decoding over its steps",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const inferenceSeconds = new Histogram({
    name: "atelier_agent_inference_seconds",
    help: "Inference time per image (text encoder, UNet loop, VAE decoder)",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });
  const uploadSeconds = new Histogram({
    name: "atelier_agent_upload_seconds",
    help: "Upload time per image to its presigned URL, retries included",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Its rate over wall time is the share of time the UNet runs: how well the agent keeps its accelerator fed.
  const unetSeconds = new Counter({ name: "atelier_agent_unet_seconds_total", help: "Time inside the UNet's session.run", registers: [registry] });
  const modelLoadSeconds = new Histogram({
    name: "atelier_agent_model_load_seconds",
    help: "Time for a render worker to load its models at start-up",
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  let agent: { readonly activeShards: number } | undefined;
  new Gauge({
    name: "atelier_agent_active_shards",
    help: "Shards this agent is working on",
    registers: [registry],
    collect() {
      this.set(agent?.activeShards ?? 0);
    },
  });
  const slotsGauge = new Gauge({ name: "atelier_agent_slots", help: "Shards this agent can run at once", registers: [registry] });
  // Each GPU gauge reads the probe when scraped; the probe's cache makes that one nvidia-smi run.
  const gpuGauge = (name: string, help: string, pick: (gpu: GpuReading) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["gpu", "name"] as const,
      registers: [registry],
      async collect() {
        const readings = await options.gpu.read();
        this.reset();
        for (const gpu of readings) this.set({ gpu: String(gpu.index), name: gpu.name }, pick(gpu));
      },
    });
  gpuGauge("atelier_agent_gpu_utilization_ratio", "GPU busy time over nvidia-smi's last sample period, 0..1", (gpu) => gpu.utilisation);
  gpuGauge("atelier_agent_gpu_memory_used_bytes", "GPU memory in use", (gpu) => gpu.memoryUsedBytes);
  gpuGauge("atelier_agent_gpu_memory_total_bytes", "GPU memory", (gpu) => gpu.memoryTotalBytes);
  return {
    registry,
    rendered(image) {
      images.inc();
      inferenceSeconds.observe(image.inferenceMs / 1000);
      if (image.steps > 0) stepSeconds.observe(image.inferenceMs / image.steps / 1000);
      uploadSeconds.observe(image.uploadMs / 1000);
      if (image.unetMs !== undefined) unetSeconds.inc(image.unetMs / 1000);
    },
    failed(retryable) {
      failures.inc({ retryable: String(retryable) });
    },
    modelsLoaded(ms) {
      modelLoadSeconds.observe(ms / 1000);
    },
    follow(followed, slots) {
      agent = followed;
      slotsGauge.set(slots);
    },
  };
}
